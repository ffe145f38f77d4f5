package dev.procflux.jmh;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A prototype read path for a child's stdout that is not NuProcess's, measured by {@link StreamingCost} and
 * {@link ReadPathStartCost}; a harness, not product code.
 *
 * <p>The child's stdout is a FIFO in a private (0700) directory, opened {@code O_RDONLY|O_NONBLOCK|O_CLOEXEC} by the
 * JVM before the start (so no other child inherits it) and grown to {@link #PIPE_SIZE} with {@code F_SETPIPE_SZ}.
 * NuProcess still starts the child, reports its exit and owns its stdin and stderr; the child is started as
 * {@code /bin/sh -c 'exec >"$0" && exec "$@"' FIFO argv...}, so the shell opens the FIFO for writing as its stdout
 * and then becomes the program (same pid, no extra process). NuProcess's own stdout pipe hangs up when the shell
 * has redirected (or exited), and the FIFO's name is removed at that moment.
 *
 * <p>It reads in one of two modes. In the push mode, one I/O thread per instance reads every FIFO: {@code epoll_pwait2}
 * for up to 64 events, level-triggered; per ready FIFO, reads of up to {@code readSize} bytes into a reused,
 * page-aligned native buffer until a read comes back short or {@code wakeBytes} were read, all through JNA direct
 * mapping. Each read is copied into a {@code byte[]} chunk, queued, and handed to a {@link Schedulers#parallel()}
 * worker that calls the consumer, the way procflux's delivery drain does (the worker is scheduled only when idle). A
 * FIFO that a read emptied may rest for {@code coalesce} before it is read again, so that the child fills it meanwhile.
 * Backpressure is real: once {@code pauseBytes} are queued the FIFO leaves the epoll interest set (the child blocks in
 * {@code write} once the pipe is full) until the consumer drained the queue to {@code resumeBytes}. A run completes
 * once the FIFO reached end-of-file, every chunk was delivered and the exit was seen: peeked with
 * {@code waitid(WNOWAIT)} from the FIFO's end on (NuProcess, whose own stdout hung up early, often finds no zombie at
 * the stderr hang-up and reports the exit only at its next 250 ms poll), or reported by NuProcess, whichever comes
 * first.
 *
 * <p>In the pull mode ({@link Pull}), the delivery worker reads and the I/O thread only reports readiness: each FIFO is
 * in the interest set with {@code EPOLLONESHOT}, so an event takes it out until it is re-armed, and the I/O thread's
 * only work per event is to schedule the FIFO's drain on its {@link Schedulers#parallel()} worker (when not already
 * scheduled). A turn of the drain reads {@code readSize} at a time into a page-aligned native buffer of the worker's
 * thread, copies each read (or, with {@link Pull#fill()}, each {@code readSize} that reads filled) as
 * {@link Pull#copy()} says and calls the consumer with it on that thread, until a read finds the FIFO empty
 * ({@code EAGAIN}; optionally after re-reading it for {@link Pull#spin()}), or comes back short
 * ({@link Pull#stopAtShortRead()}), or {@code wakeBytes} were read (the drain then queues itself behind the worker's
 * other tasks). A FIFO that a turn read and left empty (or read short) rests for {@link Pull#rest()} when that is set,
 * neither read nor armed: the worker's own timer starts the next turn, so a child that keeps writing is read by two
 * threads, the child and the worker, with no epoll event in between; a turn that finds the FIFO empty re-arms it.
 * Nothing is queued: the consumer runs inside the read loop, and a consumer that blocks holds the reads, so the child
 * blocks in {@code write} once the pipe is full. An exit seen before end-of-file schedules a drain, which reads the
 * end-of-file of a FIFO that no writer holds any more.
 */
final class FifoReadPath implements AutoCloseable {
    static final int PIPE_SIZE = 1 << 20;
    private static final String TRAMPOLINE = "exec >\"$0\" && exec \"$@\"";
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int F_SETPIPE_SZ = 1031;
    private static final int EPOLL_CLOEXEC = O_CLOEXEC;
    private static final int EPOLL_CTL_ADD = 1;
    private static final int EPOLL_CTL_DEL = 2;
    private static final int EPOLL_CTL_MOD = 3;
    private static final int EPOLLIN = 0x001;
    private static final int EPOLLONESHOT = 1 << 30;
    private static final int EAGAIN = 11;
    private static final int EINTR = 4;
    private static final int MAX_EVENTS = 64;
    private static final byte[] NO_BYTES = new byte[0];
    private static final int PAGE = 4096;
    private static final int P_PID = 1;
    private static final int WNOHANG = 1;
    private static final int WEXITED = 4;
    private static final int WNOWAIT = 0x01000000;
    // siginfo_t on Linux (x86_64 and aarch64): si_code at 8, si_pid at 16, si_status at 24
    private static final int SI_CODE = 8;
    private static final int SI_PID = 16;
    private static final int SI_STATUS = 24;
    private static final int CLD_EXITED = 1;
    private static final long MAX_PROBE_DELAY_NANOS = 10_000_000;
    // struct epoll_event is packed on x86_64 (events at 0, data at 4), naturally aligned elsewhere (data at 8)
    private static final int EVENT_SIZE = Platform.isIntel() && Platform.is64Bit() ? 12 : 16;
    private static final int DATA_OFFSET = EVENT_SIZE == 12 ? 4 : 8;

    static {
        Native.register("c");
    }

    private static native int epoll_create1(int flags);

    private static native int epoll_ctl(int epfd, int op, int fd, Pointer event);

    private static native int epoll_pwait2(int epfd, Pointer events, int maxevents, Pointer timeout, Pointer sigmask);

    private static native int eventfd(int initval, int flags);

    static native long read(int fd, Pointer buffer, long count);

    private static native long write(int fd, Pointer buffer, long count);

    private static native int open(String path, int flags);

    private static native int mkfifo(String path, int mode);

    private static native int fcntl(int fd, int cmd, int arg);

    static native int close(int fd);

    private static native int waitid(int idtype, int id, Pointer infop, int options);

    private static native int getrusage(int who, Pointer usage);

    /**
     * @return of this JVM's children that were reaped so far, from {@code getrusage(RUSAGE_CHILDREN)}: their CPU
     *     time (user and system) in nanoseconds and their voluntary context switches
     */
    static long[] reapedChildren() {
        // struct rusage on 64-bit Linux: ru_utime and ru_stime (timevals of two longs) at 0 and 16, then 14 longs
        // from ru_maxrss at 32 on, ru_nvcsw the 13th of them
        Memory usage = new Memory(144);
        check(getrusage(-1, usage), "getrusage");
        return new long[] {(usage.getLong(0) + usage.getLong(16)) * 1_000_000_000L
                + (usage.getLong(8) + usage.getLong(24)) * 1_000, usage.getLong(128)};
    }

    private final Path dir;
    private final int epoll;
    private final int wakeup;
    private final long coalesceNanos;
    // readers resting after a read that emptied their FIFO, in the order they become due (one delay for all):
    // used only on the I/O thread
    private final ArrayDeque<Reader> restingQueue = new ArrayDeque<>();
    private final int readSize;
    private final int wakeBytes;
    private final long pauseBytes;
    private final long resumeBytes;
    private final Scheduler delivery = Schedulers.parallel();
    // the pull mode's settings; null in the push mode
    private final Pull pull;
    // the pull mode's read buffer, one per delivery worker thread: page-aligned, like the I/O thread's
    private final ThreadLocal<Pointer> pullBuffers;
    // Copy.ONE_ARRAY's array, one per delivery worker thread
    private final ThreadLocal<byte[]> pullArrays;
    private final AtomicLong names = new AtomicLong();
    // written by starting threads and the I/O thread; keyed by the FIFO's descriptor
    private final Map<Integer, Reader> readers = new ConcurrentHashMap<>();
    // children that exited before their FIFO reached end-of-file: offered on the NuProcess thread, polled on the
    // I/O thread after a write to the eventfd
    private final ConcurrentLinkedQueue<Reader> exited = new ConcurrentLinkedQueue<>();
    private final Thread io;
    // probes the exit of a child whose FIFO ended before it became a zombie
    private final ScheduledExecutorService exitProbes = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "readpath-exit");
        t.setDaemon(true);
        return t;
    });
    // written by close(), read by the I/O thread
    private volatile boolean closed;

    /**
     * @param readSize the most one {@code read} takes; each read is copied into one chunk
     * @param wakeBytes the most one FIFO's turn reads, in reads of {@code readSize}
     * @param pauseBytes queued bytes at which the FIFO is no longer read
     * @param resumeBytes queued bytes at which a paused FIFO is read again
     * @param coalesce how long a FIFO that a read emptied rests before it is read again; zero: never rests
     */
    FifoReadPath(int readSize, int wakeBytes, long pauseBytes, long resumeBytes, Duration coalesce) {
        this(readSize, wakeBytes, pauseBytes, resumeBytes, coalesce, null);
    }

    /**
     * The pull mode: the delivery worker reads, the I/O thread only reports readiness.
     *
     * @param readSize the most one {@code read} takes; each read is delivered as one chunk
     * @param turnBytes the most one turn of the delivery worker reads before it lets the worker's other tasks run
     * @param pull how the worker reads and when it re-arms the FIFO
     */
    FifoReadPath(int readSize, int turnBytes, Pull pull) {
        this(readSize, turnBytes, Long.MAX_VALUE, Long.MAX_VALUE, Duration.ZERO, pull);
    }

    private FifoReadPath(int readSize, int wakeBytes, long pauseBytes, long resumeBytes, Duration coalesce,
            Pull pull) {
        this.pull = pull;
        this.pullBuffers = ThreadLocal.withInitial(() -> new Memory(readSize + PAGE).align(PAGE));
        this.pullArrays = ThreadLocal.withInitial(() -> new byte[readSize]);
        this.coalesceNanos = coalesce.toNanos();
        this.readSize = readSize;
        this.wakeBytes = wakeBytes;
        this.pauseBytes = pauseBytes;
        this.resumeBytes = resumeBytes;
        try {
            dir = Files.createTempDirectory("procflux-fifo",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        epoll = check(epoll_create1(EPOLL_CLOEXEC), "epoll_create1");
        wakeup = check(eventfd(0, O_CLOEXEC | O_NONBLOCK), "eventfd");
        control(EPOLL_CTL_ADD, wakeup);
        io = new Thread(this::loop, "readpath-io");
        io.setDaemon(true);
        io.start();
    }

    /**
     * Starts {@code argv} with its stdout on a FIFO of this read path and calls {@code consumer} with each chunk on
     * a delivery worker.
     *
     * @return completes with the bytes delivered once the FIFO reached end-of-file and the child exited
     */
    CompletableFuture<Long> run(List<String> argv, Consumer<byte[]> consumer) {
        String fifo = newFifoName();
        int fd = createFifo(fifo);
        Reader reader = new Reader(fd, fifo, consumer);
        if (pull == null) {
            readers.put(fd, reader);
            reader.apply();
        }
        else {
            // added before it is listed: an event that the I/O thread took for an earlier FIFO of the same
            // descriptor number may find this reader, whose re-arm then needs the registration; no event of its
            // own comes before the child opens the FIFO
            reader.arm(EPOLL_CTL_ADD);
            readers.put(fd, reader);
        }
        NuProcessBuilder b = new NuProcessBuilder(trampoline(fifo, argv));
        b.setProcessListener(reader);
        if (b.start() == null) {
            reader.exited(Integer.MIN_VALUE);
        }
        return reader.result;
    }

    /** @return the trampoline's argv: {@code argv} started with its stdout on {@code fifo} */
    static List<String> trampoline(String fifo, List<String> argv) {
        List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", TRAMPOLINE, fifo));
        command.addAll(argv);
        return command;
    }

    /**
     * Creates the FIFO {@code fifo}, opens it for reading ({@code O_NONBLOCK|O_CLOEXEC}) and grows it to
     * {@link #PIPE_SIZE}.
     *
     * @return its descriptor
     */
    static int createFifo(String fifo) {
        makeFifo(fifo);
        int fd = open(fifo, O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) {
            unlink(fifo);
            check(fd, "open " + fifo);
        }
        // a refusal (pipe-max-size lower) leaves the default 64 KiB pipe: slower, not wrong
        fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
        return fd;
    }

    /** Creates the FIFO {@code fifo}, to be opened by {@link #openBlocking(String)}. */
    static void makeFifo(String fifo) {
        check(mkfifo(fifo, 0600), "mkfifo " + fifo);
    }

    /**
     * Opens the FIFO {@code fifo} for blocking reads (waiting for a writer) and grows it to {@link #PIPE_SIZE}.
     *
     * @return its descriptor
     */
    static int openBlocking(String fifo) {
        int fd = check(open(fifo, O_CLOEXEC), "open " + fifo);
        fcntl(fd, F_SETPIPE_SZ, PIPE_SIZE);
        return fd;
    }

    /** Closes a descriptor of {@link #createFifo(String)} and removes the FIFO's name. */
    static void closeFifo(int fd, String fifo) {
        close(fd);
        unlink(fifo);
    }

    /** @return a new name for a FIFO in this read path's private directory */
    String newFifoName() {
        return dir.resolve("o" + names.incrementAndGet()).toString();
    }

    /** @return each open FIFO's state, for a run that did not complete */
    String state() {
        StringBuilder b = new StringBuilder();
        readers.values().forEach(r -> b.append(r.fifo).append(": queued ").append(r.queued).append(", paused ")
                .append(r.paused).append(", resting ").append(r.resting).append(", end-of-file ").append(r.endOfFile).append(", exited ")
                .append(r.hasExited).append("; "));
        return b.toString();
    }

    private void control(int op, int fd) {
        Memory event = new Memory(EVENT_SIZE);
        event.setInt(0, EPOLLIN);
        event.setLong(DATA_OFFSET, fd);
        check(epoll_ctl(epoll, op, fd, event), "epoll_ctl " + op + " fd " + fd);
    }

    private void loop() {
        Memory events = new Memory((long) EVENT_SIZE * MAX_EVENTS);
        // page-aligned: Memory's own block of this size starts 16 bytes into a page (malloc's header), where a read
        // from a pipe costs about 1.7x the CPU (ReadAlignment)
        Pointer buffer = new Memory(readSize + PAGE).align(PAGE);
        Memory counter = new Memory(8);
        Memory timeout = new Memory(16);
        while (!closed) {
            Reader next = restingQueue.peek();
            long wait = next == null ? -1 : Math.max(0, next.restsUntil - System.nanoTime());
            timeout.setLong(0, wait / 1_000_000_000);
            timeout.setLong(8, wait % 1_000_000_000);
            int n = epoll_pwait2(epoll, events, MAX_EVENTS, next == null ? null : timeout, null);
            if (n < 0) {
                if (Native.getLastError() == EINTR) {
                    continue;
                }
                throw new IllegalStateException("epoll_pwait2 failed: errno " + Native.getLastError());
            }
            long now = System.nanoTime();
            while ((next = restingQueue.peek()) != null && next.restsUntil - now <= 0) {
                restingQueue.poll();
                next.rest(false);
            }
            for (int i = 0; i < n; i++) {
                int fd = events.getInt((long) i * EVENT_SIZE + DATA_OFFSET);
                Reader reader = readers.get(fd);
                if (reader != null && pull != null) {
                    // one-shot: the FIFO stays out of the events until the drain re-arms it
                    reader.drain();
                }
                else if (reader != null) {
                    reader.readAvailable(buffer);
                }
                else if (fd == wakeup) {
                    read(wakeup, counter, 8);
                    // a FIFO whose writer never opened it (the shell failed before its redirection) never hangs
                    // up; read returns 0 for it, as for one whose writers all closed, EAGAIN while one is open
                    Reader done;
                    while ((done = exited.poll()) != null) {
                        if (readers.get(done.fd) == done) {
                            done.readAvailable(buffer);
                        }
                    }
                }
            }
        }
    }

    private void wake() {
        Memory one = new Memory(8);
        one.setLong(0, 1);
        write(wakeup, one, 8);
    }

    @Override
    public void close() {
        closed = true;
        wake();
        try {
            io.join(5_000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        exitProbes.shutdownNow();
        close(wakeup);
        close(epoll);
        readers.values().forEach(r -> close(r.fd));
        try {
            Files.deleteIfExists(dir);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void unlink(String fifo) {
        try {
            Files.deleteIfExists(Path.of(fifo));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int check(int rc, String what) {
        if (rc < 0) {
            throw new IllegalStateException(what + " failed: errno " + Native.getLastError());
        }
        return rc;
    }

    /** One child: its FIFO, its queue of chunks and its delivery drain; also its NuProcess handler. */
    private final class Reader extends NuAbstractProcessHandler {
        final int fd;
        final String fifo;
        final Consumer<byte[]> consumer;
        final CompletableFuture<Long> result = new CompletableFuture<>();
        final Scheduler.Worker worker = delivery.createWorker();
        final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
        // queued bytes: added on the I/O thread, subtracted by the drain
        final AtomicLong queued = new AtomicLong();
        // bytes delivered: written only by the drain
        long delivered;
        final AtomicInteger wip = new AtomicInteger();
        // end-of-file: written once by the I/O thread, read by the drain; the exit: set once (CAS) by whichever of
        // NuProcess's onExit and the exit probe sees it first
        volatile boolean endOfFile;
        volatile boolean hasExited;
        final AtomicBoolean exitSeen = new AtomicBoolean();
        // set in onStart, before the child can write
        volatile int pid;
        // why the FIFO is not read now, whether it is in the interest set, whether it is closed: guarded by
        // `this`, so that a pause decided on the I/O thread and a resume decided by the drain are applied in the
        // order they were decided
        volatile boolean paused;
        boolean resting;
        boolean armed;
        boolean finished;
        // when a resting FIFO is read again (System.nanoTime()): used only on the I/O thread
        long restsUntil;
        // the pull mode's epoll_event (EPOLLIN|EPOLLONESHOT, this FIFO), written once here; and whether a rest's
        // timer is pending: used only by the drain and that timer, both on the worker's one thread
        final Memory pullEvent;
        boolean pullResting;

        Reader(int fd, String fifo, Consumer<byte[]> consumer) {
            this.fd = fd;
            this.fifo = fifo;
            this.consumer = consumer;
            pullEvent = new Memory(EVENT_SIZE);
            pullEvent.setInt(0, EPOLLIN | EPOLLONESHOT);
            pullEvent.setLong(DATA_OFFSET, fd);
        }

        /** Pull mode: adds the FIFO to the interest set, or re-arms it, for one event. */
        void arm(int op) {
            check(epoll_ctl(epoll, op, fd, pullEvent), "epoll_ctl " + op + " fd " + fd);
        }

        /**
         * I/O thread: reads what the FIFO holds, {@code readSize} at a time (each read becomes one chunk) and at
         * most {@code wakeBytes} in all; a read shorter than {@code readSize} emptied the FIFO and ends the turn.
         */
        void readAvailable(Pointer buffer) {
            long total = 0;
            long n;
            do {
                n = read(fd, buffer, readSize);
                if (n > 0) {
                    // the buffer is reused at the next read, so the bytes are copied out here, while the read
                    // left them in the cache
                    byte[] chunk = new byte[(int) n];
                    buffer.read(0, chunk, 0, chunk.length);
                    queue.offer(chunk);
                    total += n;
                }
            }
            while (n == readSize && total < wakeBytes);
            if (total > 0) {
                if (queued.addAndGet(total) >= pauseBytes) {
                    updatePause();
                }
                if (coalesceNanos > 0 && n >= 0 && n < readSize) {
                    // the FIFO is empty: let the child fill it for a while, so that the next wake-up, read,
                    // chunk and hand-off carry more bytes
                    restsUntil = System.nanoTime() + coalesceNanos;
                    restingQueue.add(this);
                    rest(true);
                }
            }
            if (n == 0) {
                // no writer left: the child and everything it forked closed the FIFO
                synchronized (this) {
                    finished = true;
                    apply();
                    readers.remove(fd);
                    close(fd);
                }
                endOfFile = true;
                if (!hasExited) {
                    probeExit(0);
                }
            }
            else if (n < 0 && Native.getLastError() != EAGAIN) {
                result.completeExceptionally(new IOException("read " + fifo + ": errno " + Native.getLastError()));
            }
            if (total > 0 || n == 0) {
                drain();
            }
        }

        /**
         * Stops reading once {@code pauseBytes} are queued (the child blocks once the pipe is full, no signal
         * involved) and reads again once the drain brought the queue down to {@code resumeBytes}.
         */
        synchronized void updatePause() {
            if (!paused && queued.get() >= pauseBytes) {
                paused = true;
                apply();
                // the drain subtracts before it reads `paused`, this thread sets `paused` before it reads the
                // queue: so either the drain sees the pause and resumes, or this read sees what the drain took
            }
            if (paused && queued.get() <= resumeBytes) {
                paused = false;
                apply();
            }
        }

        synchronized void rest(boolean rest) {
            resting = rest;
            apply();
        }

        /**
         * Puts the FIFO in the interest set or takes it out. Out, not in with no events: epoll reports a hang-up
         * whatever the events asked for, so a paused FIFO whose writer closed would wake the loop without end.
         */
        synchronized void apply() {
            boolean arm = !paused && !resting && !finished;
            if (arm != armed) {
                armed = arm;
                control(arm ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd);
            }
        }

        void drain() {
            if (wip.getAndIncrement() == 0) {
                worker.schedule(pull == null ? this::drainLoop : this::pullLoop);
            }
        }

        /**
         * Pull mode, on the delivery worker: takes turns reading the FIFO and calling the consumer until nothing
         * asks for another; completes the run once the FIFO ended and the exit was seen.
         */
        private void pullLoop() {
            int missed = 1;
            boolean more = false;
            do {
                if (!endOfFile) {
                    more = pullTurn();
                }
                if (endOfFile && hasExited) {
                    worker.dispose();
                    result.complete(delivered);
                    return;
                }
                missed = wip.addAndGet(-missed);
            }
            while (missed != 0);
            if (more) {
                // queued behind the worker's other tasks: one busy FIFO does not hold the worker
                drain();
            }
        }

        /**
         * Pull mode: one turn. Reads {@code readSize} at a time, each read delivered as one chunk on this thread, until
         * a read finds the FIFO empty ({@code EAGAIN}, after re-reading it for up to {@link Pull#spin()}), or comes
         * back short when {@link Pull#stopAtShortRead()}, or {@code wakeBytes} were read. A FIFO that the turn read and
         * left empty (or read short) rests for {@link Pull#rest()} (neither read nor armed; the worker's timer starts
         * the next turn) when a rest is set; otherwise, and after a turn that found it empty, it is re-armed for one
         * epoll event. The consumer is always ready: a consumer with demand would end the turn when its demand runs
         * out, leaving the FIFO unarmed (the child blocks once the pipe is full) until it asks again.
         *
         * @return whether the turn stopped at {@code wakeBytes}, the FIFO perhaps not yet empty
         */
        private boolean pullTurn() {
            Pointer buffer = pullBuffers.get();
            long spinNanos = pull.spin().toNanos();
            long got = 0;
            long spinsUntil = 0;
            // bytes read into the buffer and not yet delivered (Pull#fill only)
            int filled = 0;
            while (true) {
                long n = read(fd, filled == 0 ? buffer : buffer.share(filled), readSize - filled);
                if (n > 0) {
                    boolean shortRead = n < readSize - filled;
                    filled += (int) n;
                    got += n;
                    spinsUntil = 0;
                    if (!pull.fill() || filled == readSize) {
                        deliver(buffer, filled);
                        filled = 0;
                    }
                    if (got >= wakeBytes) {
                        deliver(buffer, filled);
                        return true;
                    }
                    if (shortRead && pull.stopAtShortRead()) {
                        break;
                    }
                    continue;
                }
                int errno = n < 0 ? Native.getLastError() : 0;
                if (n < 0 && errno == EINTR) {
                    continue;
                }
                if (n == 0 || errno != EAGAIN) {
                    if (n < 0) {
                        result.completeExceptionally(new IOException("read " + fifo + ": errno " + errno));
                    }
                    deliver(buffer, filled);
                    // no writer left (the child and everything it forked closed the FIFO), or a failed read: the
                    // FIFO is done with either way
                    readers.remove(fd);
                    epoll_ctl(epoll, EPOLL_CTL_DEL, fd, null);
                    close(fd);
                    endOfFile = true;
                    if (!hasExited) {
                        probeExit(0);
                    }
                    return false;
                }
                if (spinNanos > 0) {
                    long now = System.nanoTime();
                    if (spinsUntil == 0) {
                        spinsUntil = now + spinNanos;
                    }
                    if (now - spinsUntil < 0) {
                        Thread.onSpinWait();
                        continue;
                    }
                }
                break;
            }
            deliver(buffer, filled);
            long restNanos = pull.rest().toNanos();
            if (got > 0 && restNanos > 0) {
                if (!pullResting) {
                    pullResting = true;
                    worker.schedule(this::restEnd, restNanos, TimeUnit.NANOSECONDS);
                }
            }
            else if (!pullResting) {
                arm(EPOLL_CTL_MOD);
            }
            return false;
        }

        /** Pull mode: hands the first {@code n} bytes of {@code buffer} to the consumer as {@link Pull#copy()} says. */
        private void deliver(Pointer buffer, int n) {
            if (n == 0) {
                return;
            }
            if (pull.copy() == Copy.NEW_CHUNK) {
                // the buffer is reused at the next read, so the bytes are copied out here
                byte[] chunk = new byte[n];
                buffer.read(0, chunk, 0, n);
                consumer.accept(chunk);
            }
            else if (pull.copy() == Copy.ONE_ARRAY) {
                byte[] array = pullArrays.get();
                buffer.read(0, array, 0, n);
                consumer.accept(array);
            }
            else if (pull.copy() == Copy.COPY_OF_ARRAY) {
                byte[] array = pullArrays.get();
                buffer.read(0, array, 0, n);
                consumer.accept(Arrays.copyOf(array, n));
            }
            else {
                consumer.accept(NO_BYTES);
            }
            delivered += n;
        }

        /** Pull mode, the worker's timer at a rest's end: the next turn, on this thread. */
        private void restEnd() {
            pullResting = false;
            if (wip.getAndIncrement() == 0) {
                pullLoop();
            }
        }

        private void drainLoop() {
            int missed = 1;
            do {
                byte[] chunk;
                while ((chunk = queue.poll()) != null) {
                    consumer.accept(chunk);
                    delivered += chunk.length;
                    if (queued.addAndGet(-chunk.length) <= resumeBytes && paused) {
                        updatePause();
                    }
                }
                if (endOfFile && hasExited && queue.isEmpty()) {
                    worker.dispose();
                    result.complete(delivered);
                    return;
                }
                missed = wip.addAndGet(-missed);
            }
            while (missed != 0);
        }

        /**
         * Looks at the child's exit without reaping it (NuProcess still reaps its child). NuProcess reports an exit
         * whose stderr hang-up beats {@code waitpid} only at its next poll, 250 ms later; the FIFO's end is the
         * moment to look, and a child seen there before it became a zombie is looked at again, 50 µs later and
         * twice as late each time, up to 10 ms.
         */
        void probeExit(int attempt) {
            if (hasExited) {
                return;
            }
            Memory info = new Memory(128);
            info.clear();
            if (waitid(P_PID, pid, info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.getInt(SI_PID) != 0) {
                exited(info.getInt(SI_CODE) == CLD_EXITED ? info.getInt(SI_STATUS) & 0xff : 128);
                return;
            }
            long delay = Math.min(50_000L << Math.min(attempt, 20), MAX_PROBE_DELAY_NANOS);
            exitProbes.schedule(() -> probeExit(attempt + 1), delay, TimeUnit.NANOSECONDS);
        }

        @Override
        public void onStart(NuProcess nuProcess) {
            pid = nuProcess.getPID();
            nuProcess.closeStdin(true);
        }

        @Override
        public void onStdout(ByteBuffer buffer, boolean closed) {
            if (buffer.hasRemaining()) {
                // the shell writes nothing to this pipe before its redirection; anything here is a bug
                result.completeExceptionally(new IllegalStateException("bytes on NuProcess's stdout: "
                        + StandardCharsets.UTF_8.decode(buffer)));
            }
            if (closed) {
                // the shell redirected its stdout (or exited): nobody needs the FIFO's name any more
                unlink(fifo);
            }
        }

        @Override
        public void onStderr(ByteBuffer buffer, boolean closed) {
            buffer.position(buffer.limit());
        }

        @Override
        public void onExit(int statusCode) {
            exited(statusCode);
        }

        void exited(int statusCode) {
            if (!exitSeen.compareAndSet(false, true)) {
                return;
            }
            if (statusCode != 0) {
                result.completeExceptionally(new IllegalStateException("exit " + statusCode));
            }
            unlink(fifo);
            hasExited = true;
            if (!endOfFile && pull == null) {
                exited.offer(this);
                wake();
            }
            // in the pull mode, the drain reads the FIFO of an exited child itself
            drain();
        }
    }

    /**
     * How the delivery worker reads in the pull mode.
     *
     * @param stopAtShortRead whether a turn ends at a read shorter than {@code readSize}; otherwise only at a read
     *     that finds the FIFO empty
     * @param spin how long a turn re-reads a FIFO it found empty before it ends; zero: it ends at once
     * @param rest how long a FIFO rests after a turn that read bytes and then found it empty (or got a short read)
     *     before the worker reads it again, neither read nor armed meanwhile; zero: re-armed at once
     * @param copy where each chunk's bytes go before the consumer gets them
     * @param fill whether reads fill the buffer up to {@code readSize} before its bytes become one chunk (delivered
     *     also when the turn ends); otherwise each read is one chunk
     */
    record Pull(boolean stopAtShortRead, Duration spin, Duration rest, Copy copy, boolean fill) {
    }

    /**
     * Where the pull mode copies a read's bytes. Only {@link #NEW_CHUNK} hands over owned bytes, as a stream must;
     * the others are upper bounds that show what the allocation and the copy cost.
     */
    enum Copy {
        /** into a new {@code byte[]} of the read's length, the consumer's to keep */
        NEW_CHUNK,
        /**
         * into one reused {@code byte[]} per delivery thread, then {@link Arrays#copyOf(byte[], int)} of it, the
         * consumer's to keep: C2 allocates an array that a copy fills at once without zeroing it first, which a
         * copy from native memory does not get
         */
        COPY_OF_ARRAY,
        /**
         * into one reused {@code byte[]} of {@code readSize} per delivery thread, as the JDK's
         * {@code InputStream} loop does; the consumer gets the whole array, valid until its next call
         */
        ONE_ARRAY,
        /** nowhere: the consumer gets an empty array per read, the bytes stay in the native buffer */
        NONE
    }
}
