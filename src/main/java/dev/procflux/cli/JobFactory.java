package dev.procflux.cli;

import dev.procflux.Command;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** Turns lines into jobs, numbering lines and jobs; used by one thread at a time (the input thread). */
final class JobFactory {
    private final @Nullable Template template;
    private final boolean shell;
    private long lineNumber;
    private long jobNumber;

    JobFactory(@Nullable Template template, boolean shell) {
        this.template = template;
        this.shell = shell;
    }

    /** @return the job for the next line, or null for a line that holds no command (blank or comment) */
    @Nullable Job next(String line) {
        lineNumber++;
        if (template == null) {
            if (shell) {
                if (line.isBlank()) {
                    return null;
                }
                return Job.runnable(++jobNumber, lineNumber, line, line, Command.shell(line));
            }
            List<String> argv;
            try {
                argv = WordSplitter.split(line, lineNumber);
            }
            catch (InvalidJobException e) {
                return Job.invalid(++jobNumber, lineNumber, line, e.getMessage());
            }
            if (argv.isEmpty()) {
                return null;
            }
            return Job.runnable(++jobNumber, lineNumber, line, shellLine(argv), Command.of(argv));
        }
        long number = ++jobNumber;
        if (shell) {
            String script = template.expandForShell(line, number);
            return Job.runnable(number, lineNumber, line, script, Command.shell(script));
        }
        List<String> argv = template.expand(line, number);
        return Job.runnable(number, lineNumber, line, shellLine(argv), Command.of(argv));
    }

    /**
     * The argv as a line {@code sh} runs as exactly this argv: every word with a character the shell treats
     * specially is single-quoted, and so is a first word with {@code =} (sh would take it for an assignment).
     */
    static String shellLine(List<String> argv) {
        StringBuilder line = new StringBuilder();
        for (String word : argv) {
            if (line.length() > 0) {
                line.append(' ');
            }
            boolean assignment = line.length() == 0 && word.indexOf('=') >= 0;
            line.append(assignment ? "'" + word.replace("'", "'\\''") + "'" : Replacements.shellQuote(word));
        }
        return line.toString();
    }
}
