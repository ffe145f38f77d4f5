package dev.procflux.cli;

import dev.procflux.internal.SurrogateEscape;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * GNU parallel's {@code --joblog}: a header, then one tab-separated line per job that started (finished, failed or
 * killed) with the columns {@code Seq Host Starttime JobRuntime Send Receive Exitval Signal Command}. Host is
 * {@code :} (this machine), Send and Receive are 0 (GNU parallel counts stdin and stdout bytes there). A job killed by
 * {@code --timeout}, {@code --halt now}, Ctrl-C or SIGTERM has Exitval -1 and the signal it died of (15, or 9 after
 * the grace period), or its own exit code if it caught the signal and exited (see {@link JobOutcome#killed}); a line
 * that could not be parsed has Exitval 2 (what {@code sh} reports for a syntax error) and a command that could not
 * start 127 or 126 (as in {@code sh}). Jobs that never started have no line, as in GNU parallel. The Command column
 * holds the bytes of the job's arguments as they are, UTF-8 or not.
 *
 * <p>Not thread-safe: written only by the thread that writes job output.
 */
final class JobLog implements Closeable {
    static final String HEADER = "Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\tCommand";

    private final OutputStream writer;

    /** @throws IOException when the file cannot be created or written */
    JobLog(Path path) throws IOException {
        this(path, false);
    }

    /**
     * @param append whether to add to an existing joblog ({@code --resume}) rather than replace it; the header is
     *        written only into an empty file
     * @throws IOException when the file cannot be created or written
     */
    JobLog(Path path, boolean append) throws IOException {
        if (Files.isDirectory(path)) {
            throw new FileSystemException(path.toString(), null, "Is a directory");
        }
        boolean header = !append || !Files.isRegularFile(path) || Files.size(path) == 0;
        writer = new BufferedOutputStream(append
                ? Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND)
                : Files.newOutputStream(path));
        if (header) {
            writer.write(SurrogateEscape.encode(HEADER + "\n"));
        }
        writer.flush();
    }

    void write(JobOutcome o) {
        try {
            writer.write(SurrogateEscape.encode(line(o) + "\n"));
            // flushed per job so that the log is complete up to the last finished job even if procflux is then
            // killed outright (SIGKILL, or a signal's shutdown outlasting its bound)
            writer.flush();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write joblog: " + e.getMessage(), e);
        }
    }

    static String line(JobOutcome o) {
        return String.format(Locale.ROOT, "%d\t:\t%.3f\t%10.3f\t0\t0\t%d\t%d\t%s", o.job().number(),
                o.startEpochMillis() / 1000.0, o.runtimeNanos() / 1e9, o.exitValue(), o.signal(),
                o.job().commandLine().replace('\n', ' '));
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }
}
