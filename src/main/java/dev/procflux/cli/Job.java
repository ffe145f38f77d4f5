package dev.procflux.cli;

import dev.procflux.Command;
import java.util.Optional;
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

    private Job(long number, long lineNumber, String input, String commandLine, @Nullable Command command,
            @Nullable String problem) {
        this.number = number;
        this.lineNumber = lineNumber;
        this.input = input;
        this.commandLine = commandLine;
        this.command = command;
        this.problem = problem;
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

    /** @return why the line could not be turned into a command, or empty */
    Optional<String> problem() {
        return Optional.ofNullable(problem);
    }
}
