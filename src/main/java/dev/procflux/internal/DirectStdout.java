package dev.procflux.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * A child's stdout read by its stream's delivery drain instead of the NuProcess I/O thread (the engine's
 * {@code directReads} option, Linux only).
 *
 * <p>Taken while NuProcess starts the process, in its {@code onStart} callback, before NuProcess adds stdout to its
 * epoll set: the read end of the real pipe is duplicated ({@code F_DUPFD_CLOEXEC}) and set non-blocking, and
 * NuProcess's descriptor number is made to name the read end of an empty pipe of our own ({@code dup3}, which keeps
 * the number close-on-exec and replaces it atomically, so no concurrent spawn sees the number closed). NuProcess then
 * watches that empty pipe, which never has data, and reports stdout closed once its write end is closed: when the
 * real pipe hangs up (no process holds its write end any more; the poller sees that, {@link #watchHangUp()}), or at
 * {@link #close()}, after the real pipe's end-of-file was read or after its stream ended and what was left was
 * discarded. So NuProcess's order of events (stdout closed, both pipes closed, the exit) stays as it is, and the exit
 * of a child whose last output waits in the pipe for a subscriber that asks for nothing is seen as on the NuProcess
 * path, where that output waits in the stream's queue.
 *
 * <p>Readiness comes from one JVM-wide daemon thread, {@code procflux-stdout-poll}, with an epoll set of its own:
 * {@link #arm()} registers the pipe for one event ({@code EPOLLIN|EPOLLONESHOT}); the event only runs the owner's
 * callback, which schedules the owner's drain and never reads or runs user code.
 *
 * <p><b>Threading:</b> {@link #read}, {@link #arm} and {@link #close} are guarded by {@code this}: the owner's drain
 * is serialized, but a stream that ended discards the rest from other tasks, and a close must never overlap a read
 * (the descriptor number could be reused meanwhile).
 */
final class DirectStdout {
    private static final Logger log = Loggers.getLogger(DirectStdout.class);
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int F_DUPFD_CLOEXEC = 1030;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int F_GETPIPE_SZ = 1032;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int EPOLLIN = 0x001;
    private static final int EPOLLONESHOT = 1 << 30;
    private static final int EPOLLERR = 0x008;
    private static final int EPOLLHUP = 0x010;
    private static final int NOT_ARMED = 0;
    private static final int ARMED_FOR_DATA = 1;
    private static final int ARMED_FOR_HANG_UP = 2;
    static final int EAGAIN = 11;
    static final int EINTR = 4;
    private static final int MAX_EVENTS = 64;
    // struct epoll_event is packed on x86_64 (events at 0, data at 4), naturally aligned elsewhere (data at 8)
    private static final int EVENT_SIZE = Platform.isIntel() && Platform.is64Bit() ? 12 : 16;
    private static final int DATA_OFFSET = EVENT_SIZE == 12 ? 4 : 8;
    private static final boolean SUPPORTED = Platform.isLinux() && register();

    private static boolean register() {
        try {
            Native.register(DirectStdout.class, "c");
            return true;
        }
        catch (RuntimeException | LinkageError e) {
            log.warn("direct stdout reads unavailable, streams read through NuProcess: {}", e.toString());
            return false;
        }
    }

    private static native int fcntl(int fd, int cmd, int arg);

    private static native int pipe2(int[] fds, int flags);

    private static native int dup3(int oldfd, int newfd, int flags);

    private static native int close(int fd);

    private static native long read(int fd, Pointer buffer, long count);

    private static native int epoll_create1(int flags);

    private static native int epoll_ctl(int epfd, int op, int fd, @Nullable Pointer event);

    private static native int epoll_wait(int epfd, Pointer events, int maxevents, int timeout);

    private final Poller poller;
    private final int fd;
    private int dummyWrite;
    private final long id;
    private final Memory event;
    // guarded by this; dummyWrite too (-1 once closed)
    private boolean registered;
    private boolean closed;
    // what the registration waits for now (NOT_ARMED once its one event came), and whether the real pipe hung up
    private int armed = NOT_ARMED;
    private boolean hungUp;
    // what the poller runs at readiness; set once by the owner before the first arm()
    private volatile @Nullable Runnable onReady;

    private DirectStdout(Poller poller, int fd, int dummyWrite) {
        this.poller = poller;
        this.fd = fd;
        this.dummyWrite = dummyWrite;
        this.id = Poller.IDS.incrementAndGet();
        this.event = new Memory(EVENT_SIZE);
        event.setLong(DATA_OFFSET, id);
    }

    /** @return whether direct reads work here (Linux, with libc's calls bound) */
    static boolean isSupported() {
        return SUPPORTED;
    }

    /**
     * Takes over the pipe whose read end is {@code stdoutFd}: see the class comment. Call only before NuProcess adds
     * {@code stdoutFd} to its epoll set.
     *
     * @return the taken pipe, or null when a call failed (then {@code stdoutFd} is unchanged and NuProcess reads it)
     */
    static @Nullable DirectStdout take(int stdoutFd) {
        Poller poller = SUPPORTED ? Poller.INSTANCE : null;
        if (poller == null) {
            return null;
        }
        int ours = fcntl(stdoutFd, F_DUPFD_CLOEXEC, 0);
        if (ours < 0) {
            log.warn("direct stdout: F_DUPFD_CLOEXEC of {} failed, errno {}", stdoutFd, Native.getLastError());
            return null;
        }
        int flags = fcntl(ours, F_GETFL, 0);
        if (flags < 0 || fcntl(ours, F_SETFL, flags | O_NONBLOCK) < 0) {
            log.warn("direct stdout: O_NONBLOCK on {} failed, errno {}", ours, Native.getLastError());
            close(ours);
            return null;
        }
        int[] dummy = new int[2];
        if (pipe2(dummy, O_CLOEXEC | O_NONBLOCK) < 0) {
            log.warn("direct stdout: pipe2 failed, errno {}", Native.getLastError());
            close(ours);
            return null;
        }
        if (dup3(dummy[0], stdoutFd, O_CLOEXEC) < 0) {
            log.warn("direct stdout: dup3 onto {} failed, errno {}", stdoutFd, Native.getLastError());
            close(dummy[0]);
            close(dummy[1]);
            close(ours);
            return null;
        }
        close(dummy[0]);
        return new DirectStdout(poller, ours, dummy[1]);
    }

    /** Sets what the poller runs when the pipe is readable after {@link #arm()}. */
    void onReady(Runnable callback) {
        this.onReady = callback;
    }

    /**
     * Reads up to {@code count} bytes into {@code buffer}; never waits.
     *
     * @return the bytes read, 0 at end-of-file (also once closed), -1 when the pipe is empty now, or -2 - errno
     *     for another error
     */
    synchronized int read(Pointer buffer, int count) {
        if (closed) {
            return 0;
        }
        while (true) {
            long n = read(fd, buffer, count);
            if (n >= 0) {
                return (int) n;
            }
            int errno = Native.getLastError();
            if (errno == EAGAIN) {
                return -1;
            }
            if (errno != EINTR) {
                return -2 - errno;
            }
        }
    }

    /** Asks the poller for one event when the pipe has data or hangs up; nothing once closed. */
    synchronized void arm() {
        if (!closed) {
            control(EPOLLIN | EPOLLONESHOT);
            armed = ARMED_FOR_DATA;
        }
    }

    /**
     * The owner reads nothing for now (its subscriber asks for nothing): asks the poller for one event when the real
     * pipe hangs up, data or not, so NuProcess learns of it (see the class comment). Nothing when already armed, once
     * hung up, once closed.
     */
    synchronized void watchHangUp() {
        if (!closed && !hungUp && armed == NOT_ARMED) {
            // no EPOLLIN: epoll reports a hang-up whatever the events asked for
            control(EPOLLONESHOT);
            armed = ARMED_FOR_HANG_UP;
        }
    }

    private void control(int events) {
        int op = registered ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (!registered) {
            poller.add(id, this);
            registered = true;
        }
        event.setInt(0, events);
        if (epoll_ctl(poller.epoll, op, fd, event) < 0) {
            // never happens for an open pipe: say so, and let the owner's next read find what is there
            log.warn("direct stdout: epoll_ctl {} of {} failed, errno {}", op, fd, Native.getLastError());
        }
    }

    /** Sets the pipe's capacity ({@code F_SETPIPE_SZ}). @return the capacity now, or -1 when refused or closed */
    synchronized int resize(int bytes) {
        return closed ? -1 : fcntl(fd, F_SETPIPE_SZ, bytes);
    }

    /** @return the pipe's capacity ({@code F_GETPIPE_SZ}), or -1 when closed */
    synchronized int capacity() {
        return closed ? -1 : fcntl(fd, F_GETPIPE_SZ, 0);
    }

    /** @return the real pipe's read end while open, -1 once closed; for naming the pipe, never for reading */
    synchronized int descriptor() {
        return closed ? -1 : fd;
    }

    /** @return whether {@link #close()} ran */
    synchronized boolean isClosed() {
        return closed;
    }

    /**
     * Leaves the poller's set, closes the real pipe's read end and the empty pipe's write end: NuProcess sees its
     * stdout hang up. Idempotent.
     */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (registered) {
            epoll_ctl(poller.epoll, EPOLL_CTL_DEL, fd, null);
            poller.remove(id);
        }
        close(fd);
        closeDummy();
    }

    /** Under this: NuProcess's stdout hangs up. */
    private void closeDummy() {
        if (dummyWrite != -1) {
            close(dummyWrite);
            dummyWrite = -1;
        }
    }

    /** The poller thread: the one event of the last arm came. */
    private void ready(int events) {
        synchronized (this) {
            armed = NOT_ARMED;
            if ((events & (EPOLLHUP | EPOLLERR)) != 0 && !closed) {
                // no process holds the real pipe any more: NuProcess may see its stdout closed now, while the rest
                // waits here for the subscriber
                hungUp = true;
                closeDummy();
            }
        }
        Runnable r = onReady;
        if (r != null) {
            r.run();
        }
    }

    /** The JVM-wide readiness thread; started at the first {@link #take}. */
    private static final class Poller {
        static final AtomicLong IDS = new AtomicLong();
        // null when the epoll set could not be created (descriptors exhausted at the first take): then every
        // stream reads through NuProcess
        static final @Nullable Poller INSTANCE = start();
        final int epoll;
        // registration id -> pipe: written by the owners' arm() and close(), read by the poller thread
        private final Map<Long, DirectStdout> pipes = new ConcurrentHashMap<>();

        private static @Nullable Poller start() {
            int epoll = epoll_create1(O_CLOEXEC);
            if (epoll < 0) {
                log.error("direct stdout reads unavailable, streams read through NuProcess: epoll_create1 failed, "
                        + "errno {}", Native.getLastError());
                return null;
            }
            return new Poller(epoll);
        }

        private Poller(int epoll) {
            this.epoll = epoll;
            Thread t = new Thread(this::loop, "procflux-stdout-poll");
            t.setDaemon(true);
            t.start();
        }

        void add(long id, DirectStdout pipe) {
            pipes.put(id, pipe);
        }

        void remove(long id) {
            pipes.remove(id);
        }

        private void loop() {
            Memory events = new Memory((long) EVENT_SIZE * MAX_EVENTS);
            while (true) {
                int n = epoll_wait(epoll, events, MAX_EVENTS, -1);
                if (n < 0) {
                    int errno = Native.getLastError();
                    if (errno != EINTR) {
                        log.error("procflux-stdout-poll: epoll_wait failed, errno {}; direct reads stall", errno);
                        return;
                    }
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    // an id whose pipe was closed since the event was queued is gone from the map: nothing to do
                    DirectStdout pipe = pipes.get(events.getLong((long) i * EVENT_SIZE + DATA_OFFSET));
                    if (pipe != null) {
                        try {
                            pipe.ready(events.getInt((long) i * EVENT_SIZE));
                        }
                        catch (RuntimeException e) {
                            // a rejected drain (its scheduler disposed): that stream's owner reports it; this
                            // thread serves the others
                            log.warn("procflux-stdout-poll: readiness callback failed", e);
                        }
                    }
                }
            }
        }
    }
}
