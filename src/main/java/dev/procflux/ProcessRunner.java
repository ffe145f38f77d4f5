package dev.procflux;

import java.util.function.LongConsumer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Runs commands: the operations shared by {@link ProcessEngine} (each call takes its own slot) and {@link Lease}
 * (calls share the lease's slot, one process at a time).
 */
public interface ProcessRunner {

    /**
     * Runs {@code command} to completion and emits its result: exit status, captured stdout and stderr, pid and
     * duration.
     *
     * <p><b>Emits:</b> one {@link ProcessResult} for any exit status, including non-zero and signal deaths.
     * <p><b>Laziness:</b> cold. Nothing is launched until subscription; each subscription launches a new process.
     * <p><b>Threading:</b> the result is delivered on {@link EngineOptions#deliveryScheduler()}, never on the
     * process I/O thread; the process is launched on {@link EngineOptions#launchScheduler()}.
     * <p><b>Backpressure:</b> not applicable (one element). Captured output is bounded per stream by
     * {@link Command#maxOutputBytes()}, handled per {@link Command#outputLimitPolicy()}.
     * <p><b>Cancellation:</b> kills the process tree (SIGTERM, {@link EngineOptions#killGracePeriod()}, then
     * SIGKILL) on the engine's kill threads, never on the cancelling thread; the slot is released once the process
     * is gone.
     * <p><b>Errors:</b> {@link ProcessStartException}, {@link ProcessTimeoutException} (tree killed),
     * {@link ProcessOutputOverflowException} (under {@link OutputLimitPolicy#FAIL}, tree killed),
     * {@link ProcessPoolOverloadedException}, {@link ProcessAcquireTimeoutException},
     * {@link ProcessPoolClosedException}.
     *
     * @param command what to run
     * @return the result, cold
     * @throws NullPointerException if {@code command} is null
     */
    Mono<ProcessResult> execute(Command command);

    /**
     * Runs {@code command} and emits its stdout as text lines, decoded with {@link Command#charset()} across chunk
     * boundaries; a final line without a newline is emitted too. Line terminators ({@code \n}, {@code \r\n}) are
     * removed. Stderr is kept as a bounded tail for the error message.
     *
     * <p><b>Laziness:</b> cold; each subscription launches a new process.
     * <p><b>Threading:</b> lines are delivered on {@link EngineOptions#deliveryScheduler()}.
     * <p><b>Backpressure:</b> honours demand; output the subscriber has not requested is held up to
     * {@link EngineOptions#maxBufferedBytes()}, beyond which the sequence fails with
     * {@link ProcessOutputOverflowException} and the tree is killed.
     * <p><b>Cancellation:</b> kills the process tree as {@link #execute(Command)} does.
     * <p><b>Errors:</b> {@link ProcessExitException} when the exit status is not 0 (after every line was emitted);
     * {@link ProcessOutputOverflowException} for a line longer than {@link Command#maxLineLength()}; otherwise
     * as {@link #execute(Command)}.
     *
     * @param command what to run
     * @return the stdout lines, cold
     * @throws NullPointerException if {@code command} is null
     */
    Flux<String> lines(Command command);

    /**
     * Runs {@code command} and emits its stdout and stderr chunks as they arrive, tagged with their stream, then
     * one {@link ProcessOutput.Kind#EXIT} element, then completes — whatever the exit status.
     *
     * <p><b>Laziness:</b> cold; each subscription launches a new process.
     * <p><b>Threading:</b> elements are delivered on {@link EngineOptions#deliveryScheduler()}.
     * <p><b>Backpressure:</b> honours demand; output the subscriber has not requested is held up to
     * {@link EngineOptions#maxBufferedBytes()}, beyond which the sequence fails with
     * {@link ProcessOutputOverflowException} and the tree is killed. Under
     * {@link ProcessEngine.Builder#directReads(boolean)} stdout is read only as the subscriber asks, and a subscriber
     * that stops asking leaves the child blocked in its write.
     * <p><b>Cancellation:</b> kills the process tree as {@link #execute(Command)} does.
     * <p><b>Errors:</b> as {@link #execute(Command)}; a non-zero exit is not an error here.
     *
     * @param command what to run
     * @return the output, cold
     * @throws NullPointerException if {@code command} is null
     */
    Flux<ProcessOutput> stream(Command command);

    /**
     * {@link #stream(Command)}, and tells when the process is running: {@code onStart} is called with its process
     * id once it has been launched, before its first element. For a caller that must act on a successful start
     * before any output, such as an HTTP response that may be committed only once the program runs: a quiet
     * process may write nothing for a long time, and a start failure arrives as an error, never after this call.
     *
     * <p><b>Emits:</b> as {@link #stream(Command)}.
     * <p><b>Laziness:</b> cold; each subscription launches a new process and calls {@code onStart} at most once.
     * <p><b>Threading:</b> {@code onStart} is called on {@link EngineOptions#deliveryScheduler()}, serially with
     * the elements and before the first of them; it must be fast and must not block.
     * <p><b>Backpressure:</b> as {@link #stream(Command)}; the call needs no demand: it comes even while nothing is
     * requested.
     * <p><b>Cancellation:</b> as {@link #stream(Command)}; once cancelled, {@code onStart} is no longer called.
     * <p><b>Errors:</b> as {@link #stream(Command)}. When the process does not start ({@link ProcessStartException})
     * or gets no slot ({@link ProcessPoolOverloadedException}, {@link ProcessAcquireTimeoutException},
     * {@link ProcessPoolClosedException}), {@code onStart} is not called. If {@code onStart} throws, the process
     * tree is killed and the sequence fails with that exception.
     *
     * @param command what to run
     * @param onStart called with the process id once the process is running
     * @return the output, cold
     * @throws NullPointerException if {@code command} or {@code onStart} is null
     */
    Flux<ProcessOutput> stream(Command command, LongConsumer onStart);
}
