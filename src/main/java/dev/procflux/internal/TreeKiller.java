package dev.procflux.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.util.Logger;
import reactor.util.Loggers;

/**
 * Kills a process and every descendant: SIGTERM (plus SIGCONT, since a stopped process ignores SIGTERM), then
 * SIGKILL after the grace period for whatever is still alive.
 *
 * <p>The tree is frozen (SIGSTOP, top down, until no new descendant appears) before it is listed: a shell that
 * forks between our listing and its death would otherwise leave children that are re-parented to init and can no
 * longer be found ({@code sh -c 'sleep 60 & wait'} would leave {@code sleep} behind, holding the pipes).
 * {@link ProcessHandle} checks the start time, so a recycled pid is never sent SIGTERM or SIGKILL.
 *
 * <p><b>End:</b> a kill ends (its {@code done} callback runs, once) when every process of the frozen tree is gone
 * (exited; a zombie counts as gone) and the output pipes are closed, checked when the pipes close and at growing
 * intervals during the grace period, so a tree that dies of SIGTERM ends its kill within milliseconds; otherwise
 * once the forced kill and the search for escaped pipe holders have run and every process sent SIGKILL is gone (at
 * most {@link #FORCED_EXIT_WAIT} later). The root's exit alone does not end it: a descendant that ignores SIGTERM
 * lives on until the forced kill, and an owner that counted itself closed at the root's exit would let its JVM exit
 * (ending the daemon threads that time the grace period) with that descendant still running.
 *
 * <p><b>Threading:</b> {@link #kill} runs on a {@link KillQueue} thread, and what follows (the checks, the forced
 * kill) runs there too: the timer only times them. No part of a kill runs on the thread that asked for it.
 */
final class TreeKiller {
    private static final Logger log = Loggers.getLogger(TreeKiller.class);
    private static final int MAX_FREEZE_ROUNDS = 8;
    // with no grace period: how long the killed tree gets to close its pipes before escaped holders are searched
    private static final long ESCAPE_CHECK_NANOS = 100_000_000;
    /** How long the processes sent SIGKILL get to end before the kill ends without them (uninterruptible sleep). */
    static final Duration FORCED_EXIT_WAIT = Duration.ofMillis(500);
    // the checks whether the tree is gone: the first soon after the signals, then twice as far apart up to the last
    private static final long FIRST_CHECK_NANOS = 2_000_000;
    private static final long MAX_CHECK_NANOS = 50_000_000;
    private static final int AFTER_CLOSE_LOOKS = 3;

    // the phases: signalled and waiting for the tree to go or the grace period to end; force-killing; ended
    private static final int WAITING = 0;
    private static final int FORCING = 1;
    private static final int ENDED = 2;

    private final LaunchedProcess root;
    private final Optional<ProcessHandle> handle;
    private final Scheduler timer;
    private final KillQueue kills;
    private final BooleanSupplier rootExited;
    private final Runnable onForced;
    private final Runnable done;
    // CAS: WAITING -> FORCING -> ENDED, or WAITING -> ENDED when the tree went before the grace period ended
    private final AtomicInteger phase = new AtomicInteger(WAITING);
    private final AtomicBoolean ended = new AtomicBoolean();
    // written once by start() before the timer tasks that read them are scheduled
    private List<ProcessHandle> tree = List.of();
    private boolean forcedAtStart;
    // the processes sent SIGKILL; written by the thread that sends it, before it schedules the checks that read it
    private final List<ProcessHandle> forced = new CopyOnWriteArrayList<>();
    // the end of the grace period; set by start(), cancelled when the tree went before it
    private volatile @Nullable Disposable graceEnd;

    private TreeKiller(LaunchedProcess root, Scheduler timer, KillQueue kills, BooleanSupplier rootExited,
            Runnable onForced, Runnable done) {
        this.root = root;
        this.handle = ProcessHandle.of(root.pid());
        this.timer = timer;
        this.kills = kills;
        this.rootExited = rootExited;
        this.onForced = onForced;
        this.done = done;
    }

    /**
     * Call on a thread of {@code kills}.
     *
     * @param timer times the grace period and the checks whether the tree is gone
     * @param kills runs what follows the grace period, and the checks
     * @param rootExited whether the root's exit was observed (then only descendants are force-killed)
     * @param onForced called when something had to be sent SIGKILL after the grace period
     * @param done called once when the kill has ended (see the class comment), also when it failed
     */
    static void kill(LaunchedProcess root, Duration grace, Scheduler timer, KillQueue kills,
            BooleanSupplier rootExited, Runnable onForced, Runnable done) {
        new TreeKiller(root, timer, kills, rootExited, onForced, done).start(grace);
    }

    private void start(Duration grace) {
        try {
            long pid = root.pid();
            tree = snapshot(handle);
            long waitNanos;
            if (grace.isZero()) {
                forcedAtStart = true;
                root.signalled(Posix.SIGKILL);
                forced.addAll(forceKill(tree));
                waitNanos = ESCAPE_CHECK_NANOS;
            }
            else {
                if (ProcessTree.isZombie(pid) && !root.outputClosed()) {
                    // the root is gone and something it started, no longer in its tree, holds the pipes: that one
                    // gets the SIGTERM too, now rather than a grace period later, and before the root's exit is
                    // reported (signalled() reports it)
                    for (ProcessHandle p : ProcessTree.holders(root.outputPipes())) {
                        p.destroy();
                        Posix.signal(p.pid(), Posix.SIGCONT);
                    }
                }
                root.signalled(Posix.SIGTERM);
                for (ProcessHandle p : tree) {
                    p.destroy();
                    Posix.signal(p.pid(), Posix.SIGCONT);
                }
                waitNanos = grace.toNanos();
            }
            long deadline = System.nanoTime() + waitNanos;
            graceEnd = timer.schedule(() -> kills.submit(() -> guarded(this::graceOver)), waitNanos,
                    TimeUnit.NANOSECONDS);
            // the pipes close as the last process holding them exits, mostly the last of the tree: look then, and
            // at growing intervals for what exits after closing its pipes or never held them
            root.whenOutputClosed(() -> kills.submit(() -> guarded(() -> afterPipesClosed(0))));
            scheduleCheck(FIRST_CHECK_NANOS, deadline);
        }
        catch (RuntimeException e) {
            end();
            throw e;
        }
    }

    /** Runs a step of the kill after its start; a step that fails ends the kill, so its owner can still close. */
    private void guarded(Runnable step) {
        try {
            step.run();
        }
        catch (RuntimeException e) {
            end();
            throw e;
        }
    }

    /** While waiting: checks in {@code delay} whether the tree is gone, unless the grace period ends first. */
    private void scheduleCheck(long delay, long deadline) {
        if (System.nanoTime() + delay < deadline) {
            timer.schedule(() -> kills.submit(() -> guarded(() -> checkGone(delay, deadline))), delay,
                    TimeUnit.NANOSECONDS);
        }
    }

    private void checkGone(long delay, long deadline) {
        if (!endIfGone() && phase.get() == WAITING) {
            scheduleCheck(Math.min(2 * delay, MAX_CHECK_NANOS), deadline);
        }
    }

    /**
     * While waiting, once the pipes have closed: a process closes its files a moment before it becomes a zombie, so
     * the look at the close is followed by a few more, 1, 2 and 4 ms later.
     */
    private void afterPipesClosed(int looks) {
        if (!endIfGone() && phase.get() == WAITING && looks < AFTER_CLOSE_LOOKS) {
            long delay = 1_000_000L << looks;
            timer.schedule(() -> kills.submit(() -> guarded(() -> afterPipesClosed(looks + 1))), delay,
                    TimeUnit.NANOSECONDS);
        }
    }

    /** While waiting: ends the kill if the tree is gone and the pipes are closed; @return whether it has ended */
    private boolean endIfGone() {
        if (phase.get() != WAITING || !root.outputClosed() || !allGone(tree)) {
            return phase.get() == ENDED;
        }
        if (phase.compareAndSet(WAITING, ENDED)) {
            Disposable g = graceEnd;
            if (g != null) {
                g.dispose();
            }
            end();
        }
        return true;
    }

    /** The grace period is over (with no grace period: the time given to the pipes to close). */
    private void graceOver() {
        if (!phase.compareAndSet(WAITING, FORCING)) {
            return; // the tree went before
        }
        if (forcedAtStart) {
            // no grace period: the tree had its SIGKILL at the start; only escaped pipe holders are left to find
            killPipeHolders();
        }
        else {
            List<ProcessHandle> now = new ArrayList<>(tree);
            if (!rootExited.getAsBoolean()) {
                root.signalled(Posix.SIGKILL);
                // children forked during the grace period are found from the root while it lives
                now.addAll(snapshot(handle));
            }
            else {
                // the root is gone: children forked during the grace period by what outlived the SIGTERM are
                // found from each survivor
                Set<Long> listed = new HashSet<>();
                for (ProcessHandle p : tree) {
                    listed.add(p.pid());
                }
                for (ProcessHandle p : tree) {
                    if (isLive(p)) {
                        for (ProcessHandle d : snapshot(Optional.of(p))) {
                            if (listed.add(d.pid())) {
                                now.add(d);
                            }
                        }
                    }
                }
            }
            List<ProcessHandle> killed = forceKill(now);
            forced.addAll(killed);
            if (!killed.isEmpty()) {
                onForced.run();
            }
            killPipeHolders();
        }
        awaitForced(FIRST_CHECK_NANOS, System.nanoTime() + FORCED_EXIT_WAIT.toNanos());
    }

    /** Ends the kill once every process sent SIGKILL is gone, or at {@code deadline}. */
    private void awaitForced(long delay, long deadline) {
        if (allGone(forced)) {
            end();
            return;
        }
        if (System.nanoTime() >= deadline) {
            log.warn("process tree of pid {}: still alive {} after SIGKILL: {}", root.pid(), FORCED_EXIT_WAIT,
                    forced.stream().filter(TreeKiller::isLive).map(p -> Long.toString(p.pid())).toList());
            end();
            return;
        }
        timer.schedule(() -> kills.submit(() -> guarded(() -> awaitForced(Math.min(2 * delay, MAX_CHECK_NANOS),
                deadline))), delay, TimeUnit.NANOSECONDS);
    }

    private void end() {
        phase.set(ENDED);
        if (ended.compareAndSet(false, true)) {
            done.run();
        }
    }

    private static boolean allGone(List<ProcessHandle> processes) {
        for (ProcessHandle p : processes) {
            if (isLive(p)) {
                return false;
            }
        }
        return true;
    }

    /** @return whether {@code p} has not exited (a zombie has: only its entry waits for its parent to reap it) */
    private static boolean isLive(ProcessHandle p) {
        return p.isAlive() && !ProcessTree.isZombie(p.pid());
    }

    /**
     * Freezes and lists the tree under {@code root}: SIGSTOP to each process as it is found, parents first, and
     * listing again until a listing finds nothing new. Listings walk the children files
     * ({@link ProcessTree#descendants(ProcessHandle)}), so a kill costs the reads of its own tree, not a scan of
     * every process on the machine: a wave of cancels keeps the kill threads busy for the trees it kills only.
     *
     * @return the root (if still there) and its descendants, parents before children
     */
    static List<ProcessHandle> snapshot(Optional<ProcessHandle> root) {
        List<ProcessHandle> tree = new ArrayList<>();
        if (root.isEmpty()) {
            return tree;
        }
        ProcessHandle r = root.get();
        Set<Long> stopped = new HashSet<>();
        tree.add(r);
        stopped.add(r.pid());
        Posix.signal(r.pid(), Posix.SIGSTOP);
        // a child forked just before its parent stopped shows up in the next listing: repeat until none is new
        for (int round = 0; round < MAX_FREEZE_ROUNDS; round++) {
            List<ProcessHandle> fresh = new ArrayList<>();
            for (ProcessHandle p : ProcessTree.descendants(r)) {
                if (stopped.add(p.pid())) {
                    fresh.add(p);
                }
            }
            if (fresh.isEmpty()) {
                break;
            }
            for (ProcessHandle p : fresh) {
                Posix.signal(p.pid(), Posix.SIGSTOP);
            }
            tree.addAll(fresh);
        }
        return tree;
    }

    /**
     * After the tree is dead, the output pipes should have closed; if they have not, a process outside the tree
     * (a grandchild re-parented to init) still holds them: find it by its descriptors and kill it.
     */
    private void killPipeHolders() {
        if (root.outputClosed()) {
            return;
        }
        List<ProcessHandle> killed = forceKill(ProcessTree.holders(root.outputPipes()));
        forced.addAll(killed);
        if (!killed.isEmpty()) {
            onForced.run();
        }
    }

    /** @return the processes that were still alive and were sent SIGKILL */
    private static List<ProcessHandle> forceKill(List<ProcessHandle> tree) {
        List<ProcessHandle> killed = new ArrayList<>();
        for (ProcessHandle p : tree) {
            if (isLive(p)) {
                if (p.destroyForcibly()) {
                    killed.add(p);
                }
                Posix.signal(p.pid(), Posix.SIGCONT);
            }
        }
        return killed;
    }
}
