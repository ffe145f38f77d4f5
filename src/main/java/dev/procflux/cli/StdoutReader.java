package dev.procflux.cli;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.jspecify.annotations.Nullable;

/**
 * Whether this process's stdout still has a reader. The write end of a pipe whose read end is closed polls as
 * {@code POLLERR} (Linux {@code pipe_poll}), so {@code procflux run … | head -1} notices that {@code head} is gone
 * while no job writes, and can kill the jobs that would otherwise run on with nobody to read them.
 */
final class StdoutReader {
    private static final short POLLERR = 0x008;
    // struct pollfd { int fd; short events; short revents; }
    private static final int POLLFD_SIZE = 8;
    private static final int REVENTS = 6;

    private StdoutReader() {
    }

    interface CLib extends Library {
        int poll(Pointer fds, long nfds, int timeoutMillis);
    }

    private static final @Nullable CLib C = load();

    private static @Nullable CLib load() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return null;
        }
        return Native.load("c", CLib.class);
    }

    /** @return whether stdout is a pipe whose reading end every process has closed; false when unknown */
    static boolean isGone() {
        CLib c = C;
        if (c == null) {
            return false;
        }
        Memory pollfd = new Memory(POLLFD_SIZE);
        pollfd.clear();
        pollfd.setInt(0, 1);
        // no events asked for: POLLERR is always reported, and a pipe with room would report POLLOUT otherwise
        if (c.poll(pollfd, 1, 0) != 1) {
            return false;
        }
        return (pollfd.getShort(REVENTS) & POLLERR) != 0;
    }
}
