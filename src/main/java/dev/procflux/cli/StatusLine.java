package dev.procflux.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The live progress bar on stderr: done/total, running, failed, rate and ETA, redrawn in place with a carriage
 * return. Used only when stderr is a terminal; the caller serialises every call with its output lock so that job
 * output never lands in the middle of the bar.
 */
final class StatusLine {
    private static final int BAR_WIDTH = 24;
    private static final String CLEAR = "\r\033[K";

    private final PrintStream err;
    private final long startNanos;
    // guarded by the caller's output lock
    private boolean shown;

    StatusLine(PrintStream err, long startNanos) {
        this.err = err;
        this.startNanos = startNanos;
    }

    /** Removes the bar so that other text can be written from the start of the line. */
    void clear() {
        if (shown) {
            err.print(CLEAR);
            err.flush();
            shown = false;
        }
    }

    void draw(Counters c, long nowNanos) {
        err.print(CLEAR + render(c, nowNanos - startNanos));
        err.flush();
        shown = true;
    }

    /**
     * @param c the counters
     * @param elapsedNanos time since the run began
     * @return the bar, without control characters
     */
    static String render(Counters c, long elapsedNanos) {
        long done = c.finished();
        long total = c.total();
        double seconds = Math.max(elapsedNanos / 1e9, 1e-3);
        double rate = done / seconds;
        StringBuilder sb = new StringBuilder();
        if (total >= 0) {
            int filled = total == 0 ? BAR_WIDTH : (int) (BAR_WIDTH * done / total);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
            sb.append(done).append('/').append(total);
        }
        else {
            sb.append(done);
        }
        sb.append(" done, ").append(c.running()).append(" running, ").append(c.failed()).append(" failed, ");
        sb.append(String.format(Locale.ROOT, "%.1f/s", rate));
        if (total >= 0 && done > 0 && done < total) {
            long etaSeconds = Math.round((total - done) / rate);
            sb.append(", ETA ").append(formatSeconds(etaSeconds));
        }
        return sb.toString();
    }

    static String formatSeconds(long s) {
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s";
        }
        return (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
    }
}
