package dev.procflux.cli;

/** A command-line argument procflux does not accept; the message says which and why. */
final class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }

    UsageException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * @return the path named by option {@code name}
     * @throws UsageException for a name that is not UTF-8 (raw bytes, see {@link RawCommandLine}): Java's file API
     *     opens UTF-8 names only
     */
    static java.nio.file.Path path(String name, String value) {
        try {
            return java.nio.file.Path.of(value);
        }
        catch (java.nio.file.InvalidPathException e) {
            throw new UsageException(name + ": the file name '" + value + "' is not UTF-8, which procflux cannot open",
                    e);
        }
    }
}
