package dev.procflux.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import reactor.core.scheduler.Scheduler;

/**
 * Kills a process and every descendant: SIGTERM (plus SIGCONT, since a stopped process ignores SIGTERM), then
 * SIGKILL after the grace period for whatever is still alive.
 *
 * <p>The tree is frozen (SIGSTOP, top down, until no new descendant appears) before it is listed: a shell that
 * forks between our listing and its death would otherwise leave children that are re-parented to init and can no
 * longer be found ({@code sh -c 'sleep 60 & wait'} would leave {@code sleep} behind, holding the pipes).
 * {@link ProcessHandle} checks the start time, so a recycled pid is never sent SIGTERM or SIGKILL.
 *
 * <p><b>Threading:</b> {@link #kill} runs on a {@link KillQueue} thread, and what follows the grace period runs
 * there too: the timer only times the grace period. No part of a kill runs on the thread that asked for it.
 */
final class TreeKiller {
    private static final int MAX_FREEZE_ROUNDS = 8;
    // with no grace period: how long the killed tree gets to close its pipes before escaped holders are searched
    private static final long ESCAPE_CHECK_NANOS = 100_000_000;

    private TreeKiller() {
    }

    /**
     * Call on a thread of {@code kills}.
     *
     * @param timer times the grace period
     * @param kills runs what follows the grace period
     * @param rootExited whether the root's exit was observed (then only descendants are force-killed)
     * @param onForced called when something had to be sent SIGKILL after the grace period
     */
    static void kill(LaunchedProcess root, Duration grace, Scheduler timer, KillQueue kills,
            BooleanSupplier rootExited, Runnable onForced) {
        long pid = root.pid();
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        List<ProcessHandle> tree = snapshot(handle);
        if (grace.isZero()) {
            root.signalled(Posix.SIGKILL);
            forceKill(tree);
            timer.schedule(() -> kills.submit(() -> killPipeHolders(root, onForced)), ESCAPE_CHECK_NANOS,
                    TimeUnit.NANOSECONDS);
            return;
        }
        if (ProcessTree.isZombie(pid) && !root.outputClosed()) {
            // the root is gone and something it started, no longer in its tree, holds the pipes: that one gets
            // the SIGTERM too, now rather than a grace period later, and before the root's exit is reported
            // (signalled() reports it, after which a closing JVM need not wait for the rest of this method)
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
        timer.schedule(() -> kills.submit(() -> {
            List<ProcessHandle> now = new ArrayList<>(tree);
            if (!rootExited.getAsBoolean()) {
                root.signalled(Posix.SIGKILL);
                // children forked during the grace period are found from the root while it lives
                now.addAll(snapshot(handle));
            }
            if (forceKill(now)) {
                onForced.run();
            }
            killPipeHolders(root, onForced);
        }), grace.toNanos(), TimeUnit.NANOSECONDS);
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
    private static void killPipeHolders(LaunchedProcess root, Runnable onForced) {
        if (root.outputClosed()) {
            return;
        }
        if (forceKill(ProcessTree.holders(root.outputPipes()))) {
            onForced.run();
        }
    }

    /** @return whether any process was still alive and had to be sent SIGKILL */
    private static boolean forceKill(List<ProcessHandle> tree) {
        boolean any = false;
        for (ProcessHandle p : tree) {
            if (p.isAlive() && !ProcessTree.isZombie(p.pid())) {
                any |= p.destroyForcibly();
                Posix.signal(p.pid(), Posix.SIGCONT);
            }
        }
        return any;
    }
}
