package dev.procflux.testsupport;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
    private static final int SOL_SOCKET = 1;
    private static final int SO_SNDBUF = 7;

    private ProcFs() {
    }

    /** The libc calls that read a pipe's capacity: the JDK has no {@code fcntl}. */
    private interface CLib extends Library {
        CLib C = Native.load("c", CLib.class);

        int open(String path, int flags);

        int fcntl(int fd, int cmd);

        int close(int fd);

        int getsockopt(int fd, int level, int name, int[] value, int[] length);
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

    /**
     * The send buffers of this JVM's accepted connections on {@code port}: {@code getsockopt(SO_SNDBUF)} of each
     * descriptor of this process that is an established TCP socket (IPv4 or IPv6) with local port {@code port}. Linux
     * reports twice what {@code setsockopt} set: the other half is its own overhead.
     *
     * @return one value per such connection, in no particular order
     */
    public static List<Integer> sendBuffers(int port) {
        Set<String> sockets = new HashSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            List<String> rows = lines(Path.of(table));
            for (String line : rows.subList(1, rows.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] f = line.trim().split("\\s+");
                String local = f[1];
                boolean established = f[3].equals("01");
                if (established && Integer.parseInt(local.substring(local.indexOf(':') + 1), 16) == port) {
                    sockets.add("socket:[" + f[9] + "]");
                }
            }
        }
        List<Integer> buffers = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                }
                catch (IOException closedMeanwhile) {
                    continue;
                }
                if (sockets.contains(target)) {
                    int[] value = new int[1];
                    int[] length = {4};
                    if (CLib.C.getsockopt(Integer.parseInt(fd.getFileName().toString()), SOL_SOCKET, SO_SNDBUF, value,
                            length) == 0) {
                        buffers.add(value[0]);
                    }
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return buffers;
    }

    /** @return {@code net.core.wmem_max}: the most {@code setsockopt(SO_SNDBUF)} sets, in bytes */
    public static int wmemMax() {
        return Integer.parseInt(lines(Path.of("/proc/sys/net/core/wmem_max")).get(0).strip());
    }

    // readAllLines, not readString: JDK 17's readString reads a procfs file that reports size 0 as one byte
    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
