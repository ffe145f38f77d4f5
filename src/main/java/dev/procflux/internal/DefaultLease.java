package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.Lease;
import dev.procflux.ProcessOutput;
import dev.procflux.ProcessPoolClosedException;
import dev.procflux.ProcessResult;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/** A slot held for a scope: runs one process at a time on it, and tells when it is idle for release. */
final class DefaultLease implements Lease, RunScheduler {
    private static final int IDLE = 0;
    private static final int ENDED = 1;
    private static final int GONE = 2;
    private final DefaultProcessEngine engine;
    private final AtomicBoolean busy = new AtomicBoolean();
    private final Sinks.Empty<Void> idleAfterClose = Sinks.empty();
    private volatile boolean closed;
    // whether the engine counts this lease among those whose stream ended (DefaultProcessEngine.leaseStreamEnded):
    // IDLE -> ENDED at a stream's finish, ENDED -> IDLE when the next run is granted the slot, -> GONE once the slot
    // went back to the engine; CAS by those threads. A run granted between a stream's slot release and its finish
    // leaves the lease counted until the next grant or the release: too much for a while, never too little
    private final AtomicInteger slotState = new AtomicInteger(IDLE);

    DefaultLease(DefaultProcessEngine engine) {
        this.engine = engine;
    }

    @Override
    public Mono<ProcessResult> execute(Command command) {
        Objects.requireNonNull(command, "command");
        return engine.execute(command, this);
    }

    @Override
    public Flux<String> lines(Command command) {
        Objects.requireNonNull(command, "command");
        return engine.lines(command, this);
    }

    @Override
    public Flux<ProcessOutput> stream(Command command) {
        Objects.requireNonNull(command, "command");
        return engine.stream(command, this, null);
    }

    @Override
    public Flux<ProcessOutput> stream(Command command, LongConsumer onStart) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(onStart, "onStart");
        return engine.stream(command, this, onStart);
    }

    @Override
    public void schedule(ProcessRun run) {
        if (closed) {
            run.slotRefused(new ProcessPoolClosedException("lease already released: cannot run '"
                    + run.command().commandLine() + "' on it", null));
            return;
        }
        if (!busy.compareAndSet(false, true)) {
            run.slotRefused(new IllegalStateException("a lease runs one process at a time: '"
                    + run.command().commandLine() + "' started while another process on the lease is alive"));
            return;
        }
        engine.leaseSlotMoved(this, false);
        run.slotGranted(this::released);
    }

    /** @return whether the engine is to count this lease among those whose stream ended (not after its release) */
    boolean streamEnded() {
        return slotState.compareAndSet(IDLE, ENDED);
    }

    /**
     * @param released whether the slot went back to the engine (no stream ends on this lease any more)
     * @return whether the engine is to stop counting this lease among those whose stream ended
     */
    boolean slotMoved(boolean released) {
        return released ? slotState.getAndSet(GONE) == ENDED : slotState.compareAndSet(ENDED, IDLE);
    }

    private void released() {
        busy.set(false);
        if (closed) {
            idleAfterClose.tryEmitEmpty();
        }
    }

    /** Refuses new runs; completes once the running process (if any) is gone. */
    Mono<Void> closeWhenIdle() {
        closed = true;
        if (!busy.get()) {
            idleAfterClose.tryEmitEmpty();
        }
        return idleAfterClose.asMono();
    }
}
