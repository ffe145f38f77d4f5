package dev.procflux.cli;

/**
 * A job line that cannot become an argv (unbalanced quote, shell syntax without {@code --shell}). Only that job
 * fails; the message names the line number so the user can find it.
 */
final class InvalidJobException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long lineNumber;

    InvalidJobException(long lineNumber, String problem) {
        super("line " + lineNumber + ": " + problem);
        this.lineNumber = lineNumber;
    }

    long lineNumber() {
        return lineNumber;
    }
}
