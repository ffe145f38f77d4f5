package dev.procflux.testsupport;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What Linux's {@code /proc} says about processes: the ground truth the tests check the engine against. The one
 * place the tests parse {@code /proc}.
 */
public final class ProcFs {
    /** Returned by {@link #state(long)} for a process that is gone (or was never there). */
    public static final char GONE = '?';

    private static final int O_RDONLY = 0;
    private static final int O_NONBLOCK = 04000;
    private static final int F_GETPIPE_SZ = 1032;

    private ProcFs() {
    }

    /** The libc calls that read a pipe's capacity: the JDK has no {@code fcntl}. */
    private interface CLib extends Library {
        CLib C = Native.load("c", CLib.class);

        int open(String path, int flags);

        int fcntl(int fd, int cmd);

        int close(int fd);
    }

    /**
     * @return the capacity of the pipe that descriptor {@code fd} of {@code pid} refers to ({@code F_GETPIPE_SZ} on a
     *         descriptor of the same pipe, opened through {@code /proc} without blocking and closed at once), or -1
     *         when the process or the descriptor is gone or is not a pipe
     */
    public static int pipeSize(long pid, int fd) {
        int own = CLib.C.open("/proc/" + pid + "/fd/" + fd, O_RDONLY | O_NONBLOCK);
        if (own < 0) {
            return -1;
        }
        try {
            return CLib.C.fcntl(own, F_GETPIPE_SZ);
        }
        finally {
            CLib.C.close(own);
        }
    }

    /**
     * @return the state letter of {@code /proc/PID/stat} ({@code R}, {@code S}, {@code T}, {@code Z}...), or
     *         {@link #GONE}
     */
    public static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name in parentheses may itself contain spaces and parentheses: the state follows the last ')'
            return stat.charAt(stat.lastIndexOf(')') + 2);
        }
        catch (IOException | RuntimeException e) {
            return GONE; // exited between listing and reading
        }
    }

    /** @return whether {@code pid} exists and is not a zombie */
    public static boolean isLive(long pid) {
        char state = state(pid);
        return state != GONE && state != 'Z';
    }

    /** @return the descendants of this JVM that are alive (zombies waiting to be reaped are not) */
    public static List<ProcessHandle> liveDescendants() {
        return ProcessHandle.current().descendants().filter(p -> isLive(p.pid())).collect(Collectors.toList());
    }

    /** @return this JVM's open file descriptors, counted in {@code /proc/self/fd} */
    public static long openFileDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return what descriptor {@code fd} of {@code pid} refers to, such as {@code pipe:[123456]} */
    public static String fdTarget(long pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }
}
