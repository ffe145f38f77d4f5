package dev.procflux.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import reactor.core.scheduler.Scheduler;

/**
 * Kills a process and every descendant: SIGTERM (plus SIGCONT, since a stopped process ignores SIGTERM), then
 * SIGKILL after the grace period for whatever is still alive.
 *
 * <p>The descendants are snapshotted before the first signal: once the child dies its children are re-parented and
 * can no longer be found from it (a {@code sh -c 'sleep 60 & wait'} would otherwise leave {@code sleep} behind,
 * holding the pipes). {@link ProcessHandle} checks the start time, so a recycled pid is never signalled.
 */
final class TreeKiller {
    private TreeKiller() {
    }

    /**
     * @param rootExited whether the root's exit was observed (then only descendants are force-killed)
     */
    static void kill(LaunchedProcess root, Duration grace, Scheduler timer, BooleanSupplier rootExited) {
        long pid = root.pid();
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        List<ProcessHandle> tree = snapshot(handle);
        if (grace.isZero()) {
            root.signalled(Posix.SIGKILL);
            forceKill(tree);
            return;
        }
        root.signalled(Posix.SIGTERM);
        for (ProcessHandle p : tree) {
            p.destroy();
            Posix.signal(p.pid(), Posix.SIGCONT);
        }
        timer.schedule(() -> {
            List<ProcessHandle> now = new ArrayList<>(tree);
            if (!rootExited.getAsBoolean()) {
                root.signalled(Posix.SIGKILL);
                // children forked during the grace period are found from the root while it lives
                now.addAll(snapshot(handle));
            }
            forceKill(now);
        }, grace.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static List<ProcessHandle> snapshot(Optional<ProcessHandle> root) {
        List<ProcessHandle> tree = new ArrayList<>();
        root.ifPresent(r -> {
            tree.add(r);
            r.descendants().forEach(tree::add);
        });
        return tree;
    }

    private static void forceKill(List<ProcessHandle> tree) {
        for (ProcessHandle p : tree) {
            if (p.isAlive()) {
                p.destroyForcibly();
                Posix.signal(p.pid(), Posix.SIGCONT);
            }
        }
    }
}
