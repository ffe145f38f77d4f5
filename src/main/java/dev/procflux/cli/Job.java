package dev.procflux.cli;

import dev.procflux.Command;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.jspecify.annotations.Nullable;

/**
 * One line of input turned into something to run: a {@link Command}, or the reason it cannot be run. Immutable.
 */
final class Job {
    private final long number;
    private final long lineNumber;
    private final String input;
    private final String commandLine;
    private final @Nullable Command command;
    private final @Nullable String problem;
    private final List<String> args;
    private final @Nullable String tag;
    private final @Nullable IntFunction<Job> atSlot;

    private Job(long number, long lineNumber, String input, String commandLine, @Nullable Command command,
            @Nullable String problem) {
        this(number, lineNumber, input, commandLine, command, problem, List.of(input), null, null);
    }

    private Job(long number, long lineNumber, String input, String commandLine, @Nullable Command command,
            @Nullable String problem, List<String> args, @Nullable String tag, @Nullable IntFunction<Job> atSlot) {
        this.number = number;
        this.lineNumber = lineNumber;
        this.input = input;
        this.commandLine = commandLine;
        this.command = command;
        this.problem = problem;
        this.args = args;
        this.tag = tag;
        this.atSlot = atSlot;
    }

    /**
     * A job from its arguments ({@link ArgumentJobs}).
     *
     * @param args the job's arguments
     * @param tag what {@code --tag}/{@code --tagstring} prefixes its lines with, or null for the input
     * @param atSlot builds the job for the slot it runs in when its command or tag uses {@code {%}}, or null
     */
    static Job of(long number, long recordNumber, List<String> args, String commandLine, @Nullable Command command,
            @Nullable String problem, @Nullable String tag, @Nullable IntFunction<Job> atSlot) {
        return new Job(number, recordNumber, String.join(" ", args), commandLine, command, problem, List.copyOf(args),
                tag, atSlot);
    }

    static Job runnable(long number, long lineNumber, String input, String commandLine, Command command) {
        return new Job(number, lineNumber, input, commandLine, command, null);
    }

    static Job invalid(long number, long lineNumber, String input, String problem) {
        return new Job(number, lineNumber, input, input, null, problem);
    }

    /** @return the 1-based job number ({@code {#}}, the joblog's Seq) */
    long number() {
        return number;
    }

    /** @return the 1-based line of the input it came from */
    long lineNumber() {
        return lineNumber;
    }

    /** @return the input line, as read */
    String input() {
        return input;
    }

    /** @return what runs, as a shell would show it: the joblog's Command column */
    String commandLine() {
        return commandLine;
    }

    /** @return the command, or empty when the line could not be turned into one */
    Optional<Command> command() {
        return Optional.ofNullable(command);
    }

    /** @return the job's arguments: the input line, or the values of its argument sources */
    List<String> args() {
        return args;
    }

    /** @return what {@code --tag} and {@code --tagstring} put before each line of output */
    String tag() {
        return tag == null ? input : tag;
    }

    /** @return whether the command depends on the job slot ({@code {%}}), known only when the job starts */
    boolean needsSlot() {
        return atSlot != null;
    }

    /** @return this job as it runs in {@code slot}: with {@code {%}} replaced */
    Job atSlot(int slot) {
        return atSlot == null ? this : atSlot.apply(slot);
    }

    /** @return why the line could not be turned into a command, or empty */
    Optional<String> problem() {
        return Optional.ofNullable(problem);
    }
}
