package dev.procflux.jmh;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link FifoReadPath}'s backpressure: a consumer of {@code head -c 64M /dev/zero} that blocks on its first chunk
 * for {@code seconds}; prints what is queued and the child's state ({@code /proc/PID/stat}) at the end of the
 * stall, then releases the consumer and checks that every byte arrives. With {@code pull}, the read path runs in
 * its pull mode (64 KiB reads, resting 300 µs), where the blocked consumer holds the delivery worker that reads, so
 * nothing is queued beyond the chunk in its hands. Usage: {@code java --enable-native-access=ALL-UNNAMED -cp
 * benchmarks.jar dev.procflux.jmh.ReadPathStall [seconds [pull]]}.
 */
public final class ReadPathStall {
    private static final long BYTES = 64L << 20;

    private ReadPathStall() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 2;
        boolean pull = args.length > 1 && args[1].equals("pull");
        try (FifoReadPath path = pull
                ? new FifoReadPath(64 << 10, 1 << 20,
                        new FifoReadPath.Pull(false, Duration.ZERO, Duration.ofNanos(300_000),
                                FifoReadPath.Copy.NEW_CHUNK, false))
                : new FifoReadPath(64 << 10, 1 << 20, 4L << 20, 1L << 20, Duration.ZERO)) {
            CountDownLatch release = new CountDownLatch(1);
            // written by the delivery worker; read after the run completed
            AtomicLong delivered = new AtomicLong();
            var run = path.run(List.of("head", "-c", Long.toString(BYTES), "/dev/zero"), chunk -> {
                try {
                    release.await();
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                delivered.addAndGet(chunk.length);
            });
            // the stall: the consumer blocks until released, whatever arrives meanwhile
            if (release.await(seconds, TimeUnit.SECONDS)) {
                throw new IllegalStateException("released early");
            }
            long pid = ProcessHandle.current().children().findFirst().orElseThrow().pid();
            String state = Files.readString(Path.of("/proc/" + pid + "/stat")).split(" ")[2];
            System.out.printf(Locale.ROOT, "after a %d s stall: %s child %d in state %s (S: asleep, R: running)%n",
                    seconds, path.state(), pid, state);
            release.countDown();
            long n = run.get(60, TimeUnit.SECONDS);
            if (n != BYTES || delivered.get() != BYTES) {
                throw new IllegalStateException("expected " + BYTES + " bytes, got " + n + " / " + delivered);
            }
            System.out.printf(Locale.ROOT, "released: all %d bytes delivered%n", n);
        }
    }
}
