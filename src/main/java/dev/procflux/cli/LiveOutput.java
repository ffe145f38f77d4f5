package dev.procflux.cli;

import java.io.ByteArrayOutputStream;

/**
 * The output of one running job under {@code --line-buffer}: chunks are cut after their last newline and the whole
 * lines written at once, the rest held until its newline (or the job's end) arrives, so lines of different jobs
 * never mix within a line. Under {@code -u} chunks are written as they come.
 *
 * <p>Used by one job's delivery thread at a time (the engine delivers a process's output serially).
 */
final class LiveOutput {
    /** Writes bytes of one stream, holding the run's output lock. */
    interface Writer {
        void write(boolean stdout, byte[] bytes);
    }

    private final boolean wholeLines;
    private final Writer writer;
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    LiveOutput(boolean wholeLines, Writer writer) {
        this.wholeLines = wholeLines;
        this.writer = writer;
    }

    void chunk(boolean isStdout, byte[] bytes) {
        if (!wholeLines) {
            writer.write(isStdout, bytes);
            return;
        }
        ByteArrayOutputStream held = isStdout ? stdout : stderr;
        int lastNewline = -1;
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                lastNewline = i;
                break;
            }
        }
        if (lastNewline < 0) {
            held.write(bytes, 0, bytes.length);
            return;
        }
        held.write(bytes, 0, lastNewline + 1);
        writer.write(isStdout, held.toByteArray());
        held.reset();
        held.write(bytes, lastNewline + 1, bytes.length - lastNewline - 1);
    }

    /** Writes what is held: a last line without a newline. */
    void end() {
        if (stdout.size() > 0) {
            writer.write(true, stdout.toByteArray());
            stdout.reset();
        }
        if (stderr.size() > 0) {
            writer.write(false, stderr.toByteArray());
            stderr.reset();
        }
    }
}
