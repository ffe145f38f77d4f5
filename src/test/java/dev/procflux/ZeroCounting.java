package dev.procflux;

import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;

/**
 * A subscriber to a {@code stream} of zeros: asks for {@code initial} chunks at the start (none for 0, the rest when
 * the test calls {@link #request}); counts the bytes and the non-zero bytes it gets, keeps the exit.
 */
final class ZeroCounting extends BaseSubscriber<ProcessOutput> {
    private final long initial;
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong nonZero = new AtomicLong();
    volatile ExitStatus exit;

    ZeroCounting(long initial) {
        this.initial = initial;
    }

    @Override
    protected void hookOnSubscribe(Subscription s) {
        if (initial > 0) {
            s.request(initial);
        }
    }

    @Override
    protected void hookOnNext(ProcessOutput o) {
        if (o.isExit()) {
            exit = o.exitStatus();
            return;
        }
        byte[] b = o.bytes();
        bytes.addAndGet(b.length);
        long z = 0;
        for (byte x : b) {
            if (x != 0) {
                z++;
            }
        }
        nonZero.addAndGet(z);
    }
}
