package dev.procflux.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Cheap process-tree walks through {@code /proc/<pid>/task/<tid>/children} (Linux 3.5+): one small file per
 * process instead of the full {@code /proc} scan that {@link ProcessHandle#descendants()} does, so pausing and
 * resuming a tree is affordable many times a second.
 */
final class ProcessTree {
    private static final int MAX_DEPTH = 32;

    private ProcessTree() {
    }

    /** Signals {@code pid} and then its descendants, parents before children (so SIGSTOP stops forks first). */
    static void signalTree(long pid, int signal) {
        signalTree(pid, signal, 0);
    }

    private static void signalTree(long pid, int signal, int depth) {
        Posix.signal(pid, signal);
        if (depth >= MAX_DEPTH) {
            return;
        }
        for (long child : children(pid)) {
            signalTree(child, signal, depth + 1);
        }
    }

    /** @return whether {@code pid} has exited and waits to be reaped (a zombie still looks alive to the JDK) */
    static boolean isZombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')');
            return end > 0 && end + 2 < stat.length() && stat.charAt(end + 2) == 'Z';
        }
        catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    /** The direct children of {@code pid}, from every thread of it; empty if it is gone. */
    static List<Long> children(long pid) {
        List<Long> children = new ArrayList<>();
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String list = Files.readString(task.resolve("children")).trim();
                if (!list.isEmpty()) {
                    for (String c : list.split(" ")) {
                        children.add(Long.parseLong(c));
                    }
                }
            }
        }
        catch (IOException | RuntimeException gone) {
            // the process (or one of its threads) exited while we looked: what we read so far is the answer
        }
        return children;
    }
}
