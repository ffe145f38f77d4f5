package dev.procflux;

/**
 * What {@link ProcessEngine#execute(Command)} does when a process writes more than
 * {@link Command#maxOutputBytes()} to stdout or stderr.
 */
public enum OutputLimitPolicy {
    /**
     * Fail with {@link ProcessOutputOverflowException} and kill the process tree. The default: a result that is
     * silently incomplete is worse than an error.
     */
    FAIL,
    /**
     * Keep the first {@code maxOutputBytes} bytes of each stream, drop the rest (the process keeps running to its
     * exit) and report it through {@link ProcessResult#isStdoutTruncated()} / {@link ProcessResult#isStderrTruncated()}.
     */
    TRUNCATE
}
