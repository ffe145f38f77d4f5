package dev.procflux.jmh;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/** The ProcessBuilder baseline, written the way a careful caller would without a library. */
final class JdkProcesses {
    private JdkProcesses() {
    }

    /**
     * Starts {@code argv}, closes its stdin, drains stdout then stderr on the calling thread and waits for the
     * exit. Draining both on one thread is only safe because the benchmarked commands print (almost) nothing; it
     * is the cheapest form of the baseline, so it flatters ProcessBuilder rather than procflux.
     *
     * @return the exit code
     */
    static int run(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).start();
            p.getOutputStream().close();
            try (InputStream out = p.getInputStream(); InputStream err = p.getErrorStream()) {
                out.readAllBytes();
                err.readAllBytes();
            }
            return p.waitFor();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + argv, e);
        }
    }

    /** Like {@link #run(List)} but returns stdout, for the latency harness. */
    static byte[] runForStdout(List<String> argv) {
        try {
            Process p = new ProcessBuilder(argv).start();
            p.getOutputStream().close();
            byte[] stdout;
            try (InputStream out = p.getInputStream(); InputStream err = p.getErrorStream()) {
                stdout = out.readAllBytes();
                err.readAllBytes();
            }
            p.waitFor();
            return stdout;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + argv, e);
        }
    }
}
