package dev.procflux.cli;

import dev.procflux.Command;
import java.io.Closeable;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * Turns each job's {@link Arguments} into a {@link Job}: through the template when there is one, otherwise the
 * arguments joined with spaces are the command line (as GNU parallel runs {@code parallel ::: 'echo a'}), split
 * into words as a job file's line is, or run by {@code sh -c} with {@code --shell}.
 *
 * <p>Not thread-safe: used by the thread that reads input.
 */
final class ArgumentJobs implements Iterator<Job>, Closeable {
    private final Arguments arguments;
    private final @Nullable Template template;
    private final @Nullable Template tagString;
    private final boolean shell;
    private long jobNumber;
    private @Nullable Job next;

    /**
     * @param arguments the jobs' arguments
     * @param template the command template, or null when the arguments are the commands
     * @param tagString {@code --tagstring}, or null
     * @param shell whether commands run with {@code sh -c}
     */
    ArgumentJobs(Arguments arguments, @Nullable Template template, @Nullable Template tagString, boolean shell) {
        this.arguments = arguments;
        this.template = template == null ? null : template.withHeader(arguments.header());
        this.tagString = tagString == null ? null : tagString.withHeader(arguments.header());
        this.shell = shell;
    }

    @Override
    public boolean hasNext() {
        while (next == null && arguments.hasNext()) {
            next = job(arguments.next());
        }
        return next != null;
    }

    @Override
    public Job next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Job job = next;
        next = null;
        return job;
    }

    private @Nullable Job job(List<String> args) {
        long number = jobNumber + 1;
        Job job = build(args, number, 1);
        if (job == null) {
            return null;
        }
        jobNumber = number;
        boolean slotted = (template != null && template.usesSlot()) || (tagString != null && tagString.usesSlot());
        if (!slotted) {
            return job;
        }
        return Job.of(number, number, args, job.commandLine(), job.command().orElse(null), job.problem().orElse(null),
                job.tag(), slot -> {
                    Job atSlot = build(args, number, slot);
                    return atSlot == null ? job : atSlot;
                });
    }

    /** @return the job in {@code slot}, or null for arguments that hold no command (blank, a comment) */
    private @Nullable Job build(List<String> args, long number, int slot) {
        String tag = tag(args, number, slot);
        Template t = template;
        if (t == null) {
            String line = String.join(" ", args);
            if (shell) {
                return line.isBlank() ? null : Job.of(number, number, args, line, Command.shell(line), null, tag, null);
            }
            List<String> argv;
            try {
                argv = WordSplitter.split(line, number);
            }
            catch (InvalidJobException e) {
                return Job.of(number, number, args, line, null, e.getMessage(), tag, null);
            }
            if (argv.isEmpty()) {
                return null;
            }
            Command command = Command.of(argv);
            return Job.of(number, number, args, command.commandLine(), command, null, tag, null);
        }
        if (shell) {
            String script = t.expandForShell(args, number, slot);
            return Job.of(number, number, args, script, Command.shell(script), null, tag, null);
        }
        Command command = Command.of(t.expand(args, number, slot));
        return Job.of(number, number, args, command.commandLine(), command, null, tag, null);
    }

    private @Nullable String tag(List<String> args, long number, int slot) {
        return tagString == null ? null : tagString.expandText(args, number, slot);
    }

    @Override
    public void close() throws IOException {
        arguments.close();
    }
}
