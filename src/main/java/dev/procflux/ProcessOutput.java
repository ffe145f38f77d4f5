package dev.procflux;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One element of {@link ProcessEngine#stream(Command)}: a chunk of stdout or stderr as it arrived, or the exit,
 * which is always the last element.
 *
 * <p>Immutable. Chunk boundaries are wherever the operating system split the output: a line or a multi-byte
 * character may span two chunks (use {@link ProcessEngine#lines(Command)} for lines).
 */
public final class ProcessOutput {
    /** What an element carries. */
    public enum Kind {
        /** Bytes the process wrote to stdout. */
        STDOUT,
        /** Bytes the process wrote to stderr. */
        STDERR,
        /** The process ended; see {@link #exitStatus()}. */
        EXIT
    }

    private static final byte[] NO_BYTES = new byte[0];

    private final Kind kind;
    private final byte[] bytes;
    private final @Nullable ExitStatus exitStatus;
    private final Charset charset;

    private ProcessOutput(Kind kind, byte[] bytes, @Nullable ExitStatus exitStatus, Charset charset) {
        this.kind = kind;
        this.bytes = bytes;
        this.exitStatus = exitStatus;
        this.charset = charset;
    }

    /**
     * A stdout chunk whose {@link #text()} is UTF-8; the array is taken as is, not copied.
     *
     * @param bytes the chunk
     * @return the element
     */
    public static ProcessOutput stdout(byte[] bytes) {
        return stdout(bytes, StandardCharsets.UTF_8);
    }

    /**
     * A stdout chunk; the array is taken as is, not copied.
     *
     * @param bytes the chunk
     * @param charset what {@link #text()} decodes with: the command's {@link Command#charset()}
     * @return the element
     */
    public static ProcessOutput stdout(byte[] bytes, Charset charset) {
        return new ProcessOutput(Kind.STDOUT, Objects.requireNonNull(bytes, "bytes"), null,
                Objects.requireNonNull(charset, "charset"));
    }

    /**
     * A stderr chunk whose {@link #text()} is UTF-8; the array is taken as is, not copied.
     *
     * @param bytes the chunk
     * @return the element
     */
    public static ProcessOutput stderr(byte[] bytes) {
        return stderr(bytes, StandardCharsets.UTF_8);
    }

    /**
     * A stderr chunk; the array is taken as is, not copied.
     *
     * @param bytes the chunk
     * @param charset what {@link #text()} decodes with: the command's {@link Command#charset()}
     * @return the element
     */
    public static ProcessOutput stderr(byte[] bytes, Charset charset) {
        return new ProcessOutput(Kind.STDERR, Objects.requireNonNull(bytes, "bytes"), null,
                Objects.requireNonNull(charset, "charset"));
    }

    /**
     * The exit element.
     *
     * @param status how the process ended
     * @return the element
     */
    public static ProcessOutput exit(ExitStatus status) {
        return new ProcessOutput(Kind.EXIT, NO_BYTES, Objects.requireNonNull(status, "status"),
                StandardCharsets.UTF_8);
    }

    /** @return what this element carries */
    public Kind kind() {
        return kind;
    }

    /** @return whether this is a stdout chunk */
    public boolean isStdout() {
        return kind == Kind.STDOUT;
    }

    /** @return whether this is a stderr chunk */
    public boolean isStderr() {
        return kind == Kind.STDERR;
    }

    /** @return whether this is the exit element */
    public boolean isExit() {
        return kind == Kind.EXIT;
    }

    /** @return a copy of the chunk's bytes; empty for the exit element */
    public byte[] bytes() {
        return bytes.clone();
    }

    /** @return the chunk's bytes as a read-only buffer, without copying */
    public ByteBuffer asByteBuffer() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /** @return the number of bytes in the chunk */
    public int size() {
        return bytes.length;
    }

    /**
     * @return the chunk decoded with the command's {@link Command#charset()}, as
     *         {@link ProcessResult#stdoutText()} decodes (malformed input replaced; so is a character split across
     *         chunks: use {@link ProcessEngine#lines(Command)} for text that must survive the split)
     */
    public String text() {
        return new String(bytes, charset);
    }

    /**
     * The chunk decoded with {@code charset}.
     *
     * @param charset the charset
     * @return the text
     */
    public String text(Charset charset) {
        return new String(bytes, Objects.requireNonNull(charset, "charset"));
    }

    /**
     * How the process ended.
     *
     * @return the status
     * @throws IllegalStateException if this is not the exit element
     */
    public ExitStatus exitStatus() {
        if (exitStatus == null) {
            throw new IllegalStateException("not an exit element: " + kind);
        }
        return exitStatus;
    }

    @Override
    public String toString() {
        return kind == Kind.EXIT ? "ProcessOutput[EXIT, " + exitStatus + "]"
                : "ProcessOutput[" + kind + ", " + bytes.length + " bytes]";
    }
}
