package dev.procflux.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * Keeps launches away from the descriptor limit while the JVM is near it.
 * <p>NuProcess 3.0.0 creates a launch's three pipes one by one and does not close the first ones when a later
 * {@code pipe()} fails with {@code EMFILE}, so every launch attempted with fewer than {@link #NEEDED} free
 * descriptors can leak up to four of them. Counting {@code /proc/self/fd} costs a directory listing, too much for
 * every launch of a server holding thousands of sockets, so the count is taken only for {@link #WINDOW_NANOS} after a
 * launch failed; in that window a launch without room is refused before NuProcess is called, and leaks nothing.
 */
final class DescriptorHeadroom {
    /** Three pipes of two descriptors, plus the pair the JDK's fork helper uses to report an exec failure. */
    static final int NEEDED = 8;
    static final long WINDOW_NANOS = 2_000_000_000L;

    private final LongSupplier nanoClock;
    private final LongSupplier openDescriptors;
    private final LongSupplier descriptorLimit;
    // Written by any launching thread; a stale read only costs one count more or less
    private volatile long checkUntilNanos;
    private volatile boolean checking;

    DescriptorHeadroom() {
        this(System::nanoTime, DescriptorHeadroom::countOpen, DescriptorHeadroom::softLimit);
    }

    DescriptorHeadroom(LongSupplier nanoClock, LongSupplier openDescriptors, LongSupplier descriptorLimit) {
        this.nanoClock = nanoClock;
        this.openDescriptors = openDescriptors;
        this.descriptorLimit = descriptorLimit;
    }

    /** Records a failed launch: the next launches check their room first. */
    void launchFailed() {
        checkUntilNanos = nanoClock.getAsLong() + WINDOW_NANOS;
        checking = true;
    }

    /**
     * Whether a launch may go ahead now.
     *
     * @return {@code null} when it may, otherwise why not ("N of M file descriptors open, a launch needs K free")
     */
    @Nullable String refusal() {
        if (!checking) {
            return null;
        }
        if (nanoClock.getAsLong() - checkUntilNanos > 0) {
            checking = false;
            return null;
        }
        long limit = descriptorLimit.getAsLong();
        long open = openDescriptors.getAsLong();
        if (limit < 0 || open < 0 || limit - open >= NEEDED) {
            return null;
        }
        // still short of descriptors: keep checking
        checkUntilNanos = nanoClock.getAsLong() + WINDOW_NANOS;
        return "open file descriptors " + open + " of " + limit + ", a launch needs " + NEEDED + " free";
    }

    private static long countOpen() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
        catch (IOException | RuntimeException e) {
            return -1; // unknown: let the launch try
        }
    }

    private static long softLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // unknown: let the launch try
        }
        return -1;
    }
}
