package dev.procflux.internal;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;

/**
 * Makes this JVM the child subreaper of everything it starts ({@code PR_SET_CHILD_SUBREAPER}, Linux 3.4+): a
 * process whose parent dies is re-parented to this JVM instead of to init, so a background subshell whose shell
 * died first ({@code ( … ) &} after a terminal's SIGINT) can still be found and killed.
 *
 * <p>Only for a JVM that starts processes through procflux alone (the command line): once enabled, this JVM
 * reaps every child it did not launch through the engine, which would take the exit status away from a
 * {@link Process} started by other code. Adopted orphans are reaped by a daemon thread within
 * {@link #REAP_INTERVAL}, so they never pile up as zombies.
 *
 * <p>A child between its {@code fork} and the engine's learning of its pid looks like an adopted orphan; launches
 * hold {@link #launching()} (a read lock) until the pid is registered, and whatever looks for orphans holds the
 * write lock, so it never sees such a child.
 */
public final class Subreaper {
    static final Duration REAP_INTERVAL = Duration.ofMillis(200);
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int WNOHANG = 1;
    private static final int MAX_KILL_ROUNDS = 8;
    private static final long POLL_NANOS = 10_000_000;

    private static final ReentrantReadWriteLock LAUNCHES = new ReentrantReadWriteLock();
    // pids launched by the engine and not yet reaped by NuProcess: added by the launching thread, removed by the
    // NuProcess I/O thread after its waitpid; only kept while enabled
    private static final Set<Long> LAUNCHED = ConcurrentHashMap.newKeySet();
    // set once, before the first launch of a JVM that enables it
    private static volatile boolean enabled;
    private static @Nullable CLib c;

    private Subreaper() {
    }

    interface CLib extends com.sun.jna.Library {
        int prctl(int option, NativeLong arg2, NativeLong arg3, NativeLong arg4, NativeLong arg5);

        int waitpid(int pid, @Nullable Pointer status, int options);
    }

    /**
     * Makes this JVM the subreaper of its descendants and starts reaping adopted orphans. Call before the first
     * process is launched. Idempotent.
     *
     * @return whether this JVM is now a subreaper (false off Linux or when the kernel refuses)
     */
    public static synchronized boolean enable() {
        if (enabled) {
            return true;
        }
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return false;
        }
        CLib lib = Native.load("c", CLib.class);
        NativeLong zero = new NativeLong(0);
        if (lib.prctl(PR_SET_CHILD_SUBREAPER, new NativeLong(1), zero, zero, zero) != 0) {
            return false;
        }
        c = lib;
        enabled = true;
        Thread reaper = new Thread(Subreaper::reapForever, "procflux-reaper");
        reaper.setDaemon(true);
        reaper.start();
        return true;
    }

    static boolean isEnabled() {
        return enabled;
    }

    /** Held by a launch from before its fork until {@link #launched(long)}; a no-op lock when not enabled. */
    static @Nullable Lock launching() {
        if (!enabled) {
            return null;
        }
        Lock lock = LAUNCHES.readLock();
        lock.lock();
        return lock;
    }

    static void launched(long pid) {
        if (enabled && pid > 0) {
            LAUNCHED.add(pid);
        }
    }

    /** NuProcess reaped {@code pid}: from now on a child with this pid is not ours. */
    static void reaped(long pid) {
        LAUNCHED.remove(pid);
    }

    /**
     * @return whether {@code pid}, a child of this JVM, is an adopted orphan rather than a process the engine
     *     launched or is launching (a child between {@code fork} and {@code exec} still runs this JVM's image)
     */
    static boolean isAdopted(long pid) {
        if (!enabled || LAUNCHED.contains(pid)) {
            return false;
        }
        try {
            return !Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe"))
                    .equals(Files.readSymbolicLink(Path.of("/proc/self/exe")));
        }
        catch (java.io.IOException | RuntimeException gone) {
            return false;
        }
    }

    /**
     * Kills every adopted orphan and its descendants: SIGTERM (with SIGCONT), then SIGKILL after {@code grace}
     * for what is still alive; repeated while killing orphans them in turn hands new ones to this JVM. Returns
     * once none is left alive. Does nothing when not enabled.
     *
     * @param grace how long the orphans get to exit after SIGTERM
     */
    public static void killAdopted(Duration grace) {
        if (!enabled) {
            return;
        }
        for (int round = 0; round < MAX_KILL_ROUNDS; round++) {
            List<Long> orphans = signalOrphans(Posix.SIGTERM);
            if (orphans.isEmpty()) {
                return;
            }
            long deadline = System.nanoTime() + grace.toNanos();
            while (System.nanoTime() < deadline && orphans.stream().anyMatch(Subreaper::isLive)) {
                LockSupport.parkNanos(POLL_NANOS);
            }
            signalOrphans(Posix.SIGKILL);
        }
    }

    /** Freezes each adopted orphan's tree, signals it and lets it run; returns the orphans signalled. */
    private static List<Long> signalOrphans(int signal) {
        Lock lock = LAUNCHES.writeLock();
        lock.lock();
        try {
            List<Long> orphans = new ArrayList<>();
            for (long pid : ProcessTree.children(ProcessHandle.current().pid())) {
                if (!LAUNCHED.contains(pid) && isLive(pid)) {
                    orphans.add(pid);
                }
            }
            for (long pid : orphans) {
                ProcessTree.signalTree(pid, Posix.SIGSTOP);
                ProcessTree.signalTree(pid, signal);
                ProcessTree.signalTree(pid, Posix.SIGCONT);
            }
            return orphans;
        }
        finally {
            lock.unlock();
        }
    }

    private static boolean isLive(long pid) {
        return ProcessHandle.of(pid).isPresent() && !ProcessTree.isZombie(pid);
    }

    private static void reapForever() {
        while (true) {
            LockSupport.parkNanos(REAP_INTERVAL.toNanos());
            reapOrphans();
        }
    }

    /** Reaps the adopted orphans that have exited; the engine's own children are NuProcess's to reap. */
    static void reapOrphans() {
        CLib lib = c;
        if (lib == null) {
            return;
        }
        Lock lock = LAUNCHES.writeLock();
        lock.lock();
        try {
            for (long pid : ProcessTree.children(ProcessHandle.current().pid())) {
                if (!LAUNCHED.contains(pid) && ProcessTree.isZombie(pid)) {
                    lib.waitpid((int) pid, null, WNOHANG);
                }
            }
        }
        finally {
            lock.unlock();
        }
    }
}
