package dev.procflux.jmh;

import com.zaxxer.nuprocess.NuAbstractProcessHandler;
import com.zaxxer.nuprocess.NuProcess;
import com.zaxxer.nuprocess.NuProcessBuilder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/** The raw NuProcess baseline: what procflux adds its leases, exit peeking and Reactor delivery to. */
final class RawNuProcess {
    private RawNuProcess() {
    }

    /** Starts {@code argv} and returns without waiting; {@code onExit} runs on the NuProcess I/O thread. */
    static void start(List<String> argv, Runnable onExit) {
        NuProcessBuilder b = new NuProcessBuilder(argv);
        b.setProcessListener(new NuAbstractProcessHandler() {
            @Override
            public void onStart(NuProcess nuProcess) {
                nuProcess.closeStdin(true);
            }

            @Override
            public void onExit(int statusCode) {
                onExit.run();
            }
        });
        if (b.start() == null) {
            throw new IllegalStateException("NuProcess could not start " + argv);
        }
    }

    /** Runs {@code argv} and waits for NuProcess to report its exit. */
    static void run(List<String> argv) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        start(argv, done::countDown);
        await(done, argv);
    }

    /** Runs {@code argv} and returns its stdout once NuProcess reported the exit. */
    static byte[] runForStdout(List<String> argv) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        // written on the NuProcess I/O thread; the latch publishes it to the waiting thread
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        NuProcessBuilder b = new NuProcessBuilder(argv);
        b.setProcessListener(new NuAbstractProcessHandler() {
            @Override
            public void onStart(NuProcess nuProcess) {
                nuProcess.closeStdin(true);
            }

            @Override
            public void onStdout(ByteBuffer buffer, boolean closed) {
                byte[] bytes = new byte[buffer.remaining()];
                buffer.get(bytes);
                out.write(bytes, 0, bytes.length);
            }

            @Override
            public void onExit(int statusCode) {
                done.countDown();
            }
        });
        if (b.start() == null) {
            throw new IllegalStateException("NuProcess could not start " + argv);
        }
        await(done, argv);
        return out.toByteArray();
    }

    /** Runs {@code count} times {@code argv} with at most {@code permits} alive at once. */
    static void runBatch(List<String> argv, int count, Semaphore permits) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(count);
        for (int i = 0; i < count; i++) {
            permits.acquire();
            start(argv, () -> {
                permits.release();
                done.countDown();
            });
        }
        await(done, argv);
    }

    private static void await(CountDownLatch done, List<String> argv) throws InterruptedException {
        if (!done.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("NuProcess did not report the exit of " + argv + " within 30s");
        }
    }
}
