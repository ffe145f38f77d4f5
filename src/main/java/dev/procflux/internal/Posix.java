package dev.procflux.internal;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.procflux.ExitStatus;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The few libc calls NuProcess does not expose: a non-reaping {@code waitid} for prompt exit detection and
 * {@code kill} for signals the JDK cannot send (SIGCONT, SIGSTOP), and {@code access} for file names that are not
 * UTF-8, which no {@link java.nio.file.Path} can hold. Linux layouts only.
 */
final class Posix {
    static final int SIGKILL = 9;
    static final int SIGTERM = 15;
    static final int SIGCONT = 18;
    static final int SIGSTOP = 19;

    private static final int P_PID = 1;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    private static final int CLD_EXITED = 1;
    private static final int CLD_KILLED = 2;
    private static final int CLD_DUMPED = 3;
    private static final int ECHILD = 10;
    // siginfo_t on Linux (x86_64 and aarch64): si_code at 8, then the SIGCHLD fields si_pid at 16, si_status at 24
    private static final int SIGINFO_SIZE = 128;
    private static final int SI_CODE = 8;
    private static final int SI_PID = 16;
    private static final int SI_STATUS = 24;

    private static final CLib C = Native.load("c", CLib.class);
    // One siginfo buffer per thread: probes run on the I/O thread and on timer threads, never nested
    private static final ThreadLocal<Memory> SIGINFO = ThreadLocal.withInitial(() -> new Memory(SIGINFO_SIZE));

    /** Returned by {@link #peekExit(long)} when the child was already reaped (by NuProcess). */
    static final ExitStatus REAPED = ExitStatus.exited(255);

    private Posix() {
    }

    interface CLib extends Library {
        int waitid(int idtype, int id, Pointer infop, int options);

        int kill(int pid, int sig);

        int read(int fd, Pointer buffer, int count);

        int fcntl(int fd, int cmd, int arg);

        int access(byte[] path, int mode);
    }

    private static final int F_SETPIPE_SZ = 1031;
    private static final int F_OK = 0;
    private static final int X_OK = 1;

    /**
     * @param path a file name's bytes, without a NUL byte
     * @return whether the file exists ({@code access(F_OK)}, following symbolic links)
     */
    static boolean exists(byte[] path) {
        return C.access(terminated(path), F_OK) == 0;
    }

    /** @return whether the calling process may execute (or search) the file ({@code access(X_OK)}) */
    static boolean isExecutable(byte[] path) {
        return C.access(terminated(path), X_OK) == 0;
    }

    private static byte[] terminated(byte[] path) {
        return Arrays.copyOf(path, path.length + 1);
    }

    /**
     * Sets a pipe's capacity ({@code fcntl(F_SETPIPE_SZ)}): the kernel rounds it up to a power-of-two number of
     * pages, refuses more than {@code /proc/sys/fs/pipe-max-size} to an unprivileged process, and refuses less than
     * the pipe holds now.
     *
     * @return the capacity now, or -1 when refused
     */
    static int setPipeSize(int fd, int bytes) {
        return C.fcntl(fd, F_SETPIPE_SZ, bytes);
    }


    /**
     * Reads up to {@code count} bytes into {@code buffer}; on NuProcess's non-blocking pipes it never waits.
     *
     * @return the bytes read, 0 at end-of-file, -1 on error (EAGAIN: nothing to read now)
     */
    static int read(int fd, Memory buffer, int count) {
        return C.read(fd, buffer, (int) Math.min(count, buffer.size()));
    }

    /**
     * Looks at a child's exit without reaping it, so NuProcess still reaps its own child.
     *
     * @return the status once exited, {@code null} while it runs, {@link #REAPED} when it is no longer waitable
     */
    static @Nullable ExitStatus peekExit(long pid) {
        Memory info = SIGINFO.get();
        info.setInt(SI_PID, 0);
        int rc = C.waitid(P_PID, pidT(pid), info, WEXITED | WNOHANG | WNOWAIT);
        if (rc != 0) {
            int errno = Native.getLastError();
            return errno == ECHILD ? REAPED : null;
        }
        if (info.getInt(SI_PID) == 0) {
            return null;
        }
        int code = info.getInt(SI_CODE);
        int status = info.getInt(SI_STATUS);
        if (code == CLD_EXITED) {
            return ExitStatus.exited(status & 0xff);
        }
        if (code == CLD_KILLED || code == CLD_DUMPED) {
            return ExitStatus.signaled(status & 0x7f);
        }
        return null; // stopped or continued: not an exit (WEXITED alone should not report these)
    }

    /**
     * Sends {@code signal}; a process that is already gone is not an error.
     *
     * @throws IllegalArgumentException if {@code pid} is not the id of one process (see {@link #pidT(long)})
     */
    static void signal(long pid, int signal) {
        C.kill(pidT(pid), signal);
    }

    /**
     * Converts a process id to the C {@code pid_t} without truncation: a {@code long} beyond the {@code int} range
     * would otherwise name another process ({@code (int) ((1L << 40) + 1)} is 1, init), and 0 or a negative id
     * addresses a whole process group or every process the caller may signal.
     *
     * @throws IllegalArgumentException if {@code pid} is below 1 or above {@link Integer#MAX_VALUE}
     */
    static int pidT(long pid) {
        return (int) Arguments.between(pid, 1, Integer.MAX_VALUE, "pid");
    }
}
