package dev.procflux.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * When a job may start: {@code --delay D} spaces job starts at least D apart; {@code --memfree SIZE} waits while
 * the memory available is under SIZE; {@code --load N} waits while N or more processes are runnable (the first
 * number of the fourth field of {@code /proc/loadavg}, the count GNU parallel takes from {@code ps}). The
 * conditions are polled every {@link #POLL} on the given scheduler; nothing blocks.
 */
final class StartGate {
    static final Duration POLL = Duration.ofMillis(100);

    private final @Nullable Duration delay;
    private final long memfreeBytes;
    private final double maxLoad;
    private final Scheduler timer;
    private final LongSupplier nanoClock;
    private final LongSupplier availableMemory;
    private final LongSupplier runnable;
    // the earliest time the next job may start, by nanoClock; CAS-updated by the threads that start jobs
    private final AtomicLong nextStartNanos = new AtomicLong(Long.MIN_VALUE);

    StartGate(@Nullable Duration delay, long memfreeBytes, double maxLoad, Scheduler timer) {
        this(delay, memfreeBytes, maxLoad, timer, System::nanoTime, StartGate::memAvailable, StartGate::runnable);
    }

    StartGate(@Nullable Duration delay, long memfreeBytes, double maxLoad, Scheduler timer, LongSupplier nanoClock,
            LongSupplier availableMemory, LongSupplier runnable) {
        this.delay = delay;
        this.memfreeBytes = memfreeBytes;
        this.maxLoad = maxLoad;
        this.timer = timer;
        this.nanoClock = nanoClock;
        this.availableMemory = availableMemory;
        this.runnable = runnable;
    }

    boolean isOpen() {
        return delay == null && memfreeBytes == 0 && maxLoad == 0;
    }

    /** @return completes when the next job may start; each subscription reserves one start */
    Mono<Void> awaitTurn() {
        if (isOpen()) {
            return Mono.empty();
        }
        return Mono.defer(() -> {
            Mono<Void> resources = memfreeBytes == 0 && maxLoad == 0 ? Mono.empty()
                    : Flux.interval(Duration.ZERO, POLL, timer).filter(tick -> resourcesAllow()).next().then();
            return resources.then(Mono.defer(this::spacing));
        });
    }

    private Mono<Void> spacing() {
        if (delay == null) {
            return Mono.empty();
        }
        long gap = delay.toNanos();
        while (true) {
            long now = nanoClock.getAsLong();
            long reserved = nextStartNanos.get();
            long start = reserved == Long.MIN_VALUE ? now : Math.max(now, reserved);
            if (nextStartNanos.compareAndSet(reserved, start + gap)) {
                long wait = start - now;
                return wait <= 0 ? Mono.empty() : Mono.delay(Duration.ofNanos(wait), timer).then();
            }
        }
    }

    private boolean resourcesAllow() {
        return (memfreeBytes == 0 || availableMemory.getAsLong() >= memfreeBytes)
                && (maxLoad == 0 || runnable.getAsLong() < maxLoad);
    }

    /** MemAvailable of {@code /proc/meminfo}, in bytes; {@code Long.MAX_VALUE} where there is no such file. */
    static long memAvailable() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        catch (IOException | NumberFormatException e) {
            // no /proc (not Linux): the condition cannot be checked, so it does not hold jobs back
            return Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }

    /** Runnable processes from {@code /proc/loadavg} ("0.52 0.58 0.59 3/467 12345"), minus this reader. */
    static long runnable() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split(" ");
            return Math.max(0, Long.parseLong(fields[3].substring(0, fields[3].indexOf('/'))) - 1);
        }
        catch (IOException | RuntimeException e) {
            // no /proc (not Linux): the condition cannot be checked, so it does not hold jobs back
            return 0;
        }
    }
}
