package dev.procflux.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;

/**
 * Cheap process-tree walks through {@code /proc/<pid>/task/<tid>/children} (Linux 3.5+): one small file per
 * process instead of the full {@code /proc} scan that {@link ProcessHandle#descendants()} does, so pausing and
 * resuming a tree is affordable many times a second, and killing hundreds of trees at once costs each kill only
 * the reads of its own tree.
 */
final class ProcessTree {
    private static final int MAX_DEPTH = 32;
    /** {@code PF_EXITING} in {@code /proc/PID/stat}'s flags field ({@code include/linux/sched.h}). */
    private static final long PF_EXITING = 0x4;
    /** Whether this kernel has the children files ({@code CONFIG_PROC_CHILDREN}); read once. */
    private static final boolean HAS_CHILDREN_FILES = hasChildrenFiles(Path.of("/proc/self/task"));
    /** Listings by {@link #descendants(ProcessHandle)} that had to scan all of {@code /proc}; any thread adds. */
    private static final LongAdder FULL_SCANS = new LongAdder();

    private ProcessTree() {
    }

    private static boolean hasChildrenFiles(Path tasks) {
        try (DirectoryStream<Path> threads = Files.newDirectoryStream(tasks)) {
            Iterator<Path> any = threads.iterator();
            return any.hasNext() && Files.isReadable(any.next().resolve("children"));
        }
        catch (IOException | RuntimeException e) {
            // no /proc/self/task: no children files either
        }
        return false;
    }

    /** @return whether tree listings walk the children files (false: they scan all of {@code /proc}) */
    static boolean walksChildrenFiles() {
        return HAS_CHILDREN_FILES;
    }

    /** @return how many listings by {@link #descendants(ProcessHandle)} scanned all of {@code /proc} so far */
    static long fullScans() {
        return FULL_SCANS.sum();
    }

    /**
     * The descendants of {@code root}, parents before children, as handles: a handle carries its process's start
     * time, so a pid recycled later is never signalled through it. Walks the children files (a few small reads per
     * process in the tree); without them, {@link ProcessHandle#descendants()}, which reads every process's
     * {@code /proc/PID/stat}. The walk's answer is exact only for a tree that is stopped: a child that was not
     * stopped can fork or exit while it is read, so a caller freezing a tree lists it again until nothing is new.
     */
    static List<ProcessHandle> descendants(ProcessHandle root) {
        return descendants(root, HAS_CHILDREN_FILES);
    }

    static List<ProcessHandle> descendants(ProcessHandle root, boolean walkChildrenFiles) {
        if (!walkChildrenFiles) {
            FULL_SCANS.increment();
            return root.descendants().toList();
        }
        List<ProcessHandle> found = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        ArrayDeque<Long> parents = new ArrayDeque<>();
        seen.add(root.pid());
        parents.add(root.pid());
        while (!parents.isEmpty()) {
            long parent = parents.poll();
            for (long child : children(parent)) {
                if (!seen.add(child)) {
                    continue;
                }
                // the parent is read again after the handle took the start time: a pid that exited and was reused
                // between the children file and the handle belongs to someone else, and is left out
                ProcessHandle.of(child).filter(h -> parentPid(child) == parent).ifPresent(h -> {
                    found.add(h);
                    parents.add(child);
                });
            }
        }
        return found;
    }

    /** @return the parent pid of {@code pid}, or -1 when it is gone */
    private static long parentPid(long pid) {
        String[] fields = statFields(pid);
        try {
            return fields.length > 1 ? Long.parseLong(fields[1]) : -1;
        }
        catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Signals {@code pid} and its descendants: parents before children (so SIGSTOP stops forks first), except SIGCONT,
     * which reaches children before parents, after the whole tree was read.
     */
    static void signalTree(long pid, int signal) {
        if (signal == Posix.SIGCONT) {
            // The whole tree is read before any of it runs again: a running parent reaps its exited children, and a
            // child leaving a children list while the list is read can hide its siblings from that read, which
            // would leave them stopped for good. Stopped, the tree cannot change under the walk.
            List<Long> tree = new ArrayList<>();
            collect(pid, tree, 0);
            for (int i = tree.size() - 1; i >= 0; i--) {
                Posix.signal(tree.get(i), signal);
            }
            return;
        }
        signalTree(pid, signal, 0);
    }

    private static void collect(long pid, List<Long> tree, int depth) {
        tree.add(pid);
        if (depth >= MAX_DEPTH) {
            return;
        }
        for (long child : children(pid)) {
            collect(child, tree, depth + 1);
        }
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
        String[] fields = statFields(pid);
        return fields.length > 0 && fields[0].equals("Z");
    }

    /**
     * @return whether {@code pid} is on its way out: the kernel sets {@code PF_EXITING} before it closes the
     *     process's files and keeps it until the process is reaped, so a child whose pipes just closed with this set
     *     becomes a zombie within microseconds of CPU time
     */
    static boolean isExiting(long pid) {
        String[] fields = statFields(pid);
        if (fields.length > 0 && (fields[0].equals("Z") || fields[0].equals("X"))) {
            return true;
        }
        try {
            return fields.length > 6 && (Long.parseLong(fields[6]) & PF_EXITING) != 0;
        }
        catch (NumberFormatException e) {
            return false;
        }
    }

    /**
     * @return the fields of {@code /proc/PID/stat} after the command name (state, ppid, pgrp, session, tty_nr,
     *     tpgid, flags, …), at most 8 of them; none when the process is gone
     */
    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            int end = stat.lastIndexOf(')'); // the name may hold spaces and parentheses: the last ')' ends it
            return end < 0 || end + 2 >= stat.length() ? new String[0] : stat.substring(end + 2).split(" ", 8);
        }
        catch (IOException | RuntimeException gone) {
            return new String[0];
        }
    }

    /**
     * Processes other than this JVM that hold any of {@code pipes} open: how a grandchild that escaped the tree
     * (re-parented to init after its parent died, or double-forked) is still found. Scans every process's
     * descriptors, so it is only used when a killed tree's pipes stay open after the grace period.
     *
     * <p>This JVM's own children are never holders: an escaped grandchild has another parent, while a child the
     * JVM is launching right now holds a copy of every JVM descriptor (other runs' pipes among them) between its
     * fork and its exec. Counting those killed an unrelated {@code echo} once in a 200,000-run soak. The exception
     * is a JVM that is a {@link Subreaper}: there an escaped grandchild is re-parented to this JVM, and counts.
     */
    static List<ProcessHandle> holders(List<String> pipes) {
        List<ProcessHandle> holders = new ArrayList<>();
        if (pipes.isEmpty()) {
            return holders;
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> isPid(p))) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid != self && holdsAny(proc, pipes)) {
                    ProcessHandle.of(pid)
                            .filter(h -> h.parent().map(parent -> parent.pid() != self).orElse(true)
                                    || Subreaper.isAdopted(pid))
                            .ifPresent(holders::add);
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // /proc unreadable: nothing more can be found
        }
        return holders;
    }

    private static boolean isPid(Path p) {
        String name = p.getFileName().toString();
        return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
    }

    private static boolean holdsAny(Path proc, List<String> pipes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    if (pipes.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                }
                catch (IOException | RuntimeException closed) {
                    // the descriptor closed while we looked
                }
            }
        }
        catch (IOException | RuntimeException gone) {
            // the process exited (or is not ours to read)
        }
        return false;
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
