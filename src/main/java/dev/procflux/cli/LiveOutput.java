package dev.procflux.cli;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The output of one running job under {@code --line-buffer}: chunks are cut after their last newline and the whole
 * lines written at once, the rest held until its newline (or the job's end) arrives, so lines of different jobs
 * never mix within a line, as in GNU parallel. A line held without its newline goes to a {@link Spool} of the run's
 * {@link SpoolStore} (the heap up to the store's shared budget, then a file), so a job that prints a gigabyte
 * without a newline holds no more heap than any other; the line is written whole, in one piece, when its newline
 * or the job's end arrives. Under {@code -u} chunks are written as they come.
 *
 * <p>Used by one job's delivery thread at a time (the engine delivers a process's output serially).
 */
final class LiveOutput {
    /** Writes bytes of one stream as one piece, holding the run's output lock throughout. */
    interface Writer {
        void write(boolean stdout, ChunkSource content);
    }

    private final boolean wholeLines;
    private final SpoolStore store;
    private final Writer writer;
    // the last line so far of each stream, without its newline; null while there is none
    private @Nullable Spool stdout;
    private @Nullable Spool stderr;

    LiveOutput(boolean wholeLines, SpoolStore store, Writer writer) {
        this.wholeLines = wholeLines;
        this.store = store;
        this.writer = writer;
    }

    void chunk(boolean isStdout, byte[] bytes) {
        if (!wholeLines) {
            writer.write(isStdout, ChunkSource.of(bytes, 0, bytes.length));
            return;
        }
        int lastNewline = -1;
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == '\n') {
                lastNewline = i;
                break;
            }
        }
        Spool held = isStdout ? stdout : stderr;
        if (lastNewline < 0) {
            if (held == null) {
                held = store.newSpool();
                hold(isStdout, held);
            }
            held.append(bytes);
            return;
        }
        int cut = lastNewline + 1;
        if (held == null) {
            writer.write(isStdout, ChunkSource.of(bytes, 0, cut));
        }
        else {
            Spool head = held;
            writer.write(isStdout, sink -> {
                head.writeTo(sink);
                sink.write(bytes, 0, cut);
            });
            head.delete();
            hold(isStdout, null);
        }
        if (cut < bytes.length) {
            Spool rest = store.newSpool();
            rest.append(Arrays.copyOfRange(bytes, cut, bytes.length));
            hold(isStdout, rest);
        }
    }

    private void hold(boolean isStdout, @Nullable Spool line) {
        if (isStdout) {
            stdout = line;
        }
        else {
            stderr = line;
        }
    }

    /** Writes what is held: a last line without a newline. */
    void end() {
        try {
            endLine(true);
        }
        finally {
            endLine(false);
        }
    }

    private void endLine(boolean isStdout) {
        Spool line = isStdout ? stdout : stderr;
        hold(isStdout, null);
        if (line != null) {
            try {
                writer.write(isStdout, line);
            }
            finally {
                line.delete();
            }
        }
    }
}
