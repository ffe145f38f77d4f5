package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.ExitStatus;
import dev.procflux.ProcessOutput;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.FluxSink;

/**
 * Emits a process's output chunks into a {@link FluxSink} and counts the bytes not yet delivered downstream, so
 * a lagging subscriber holds at most {@code maxBufferedBytes} before the run fails.
 */
final class StreamOutput implements RunOutput {
    private final Command command;
    private final long maxBufferedBytes;
    // added on the I/O thread when a chunk is queued, subtracted on the delivery thread when it is delivered
    private final AtomicLong buffered = new AtomicLong();
    private volatile FluxSink<ProcessOutput> sink;

    StreamOutput(Command command, long maxBufferedBytes, FluxSink<ProcessOutput> sink) {
        this.command = command;
        this.maxBufferedBytes = maxBufferedBytes;
        this.sink = sink;
    }

    @Override
    public boolean onStdout(ByteBuffer buffer) {
        return emit(buffer, true);
    }

    @Override
    public boolean onStderr(ByteBuffer buffer) {
        return emit(buffer, false);
    }

    private boolean emit(ByteBuffer buffer, boolean stdout) {
        // NuProcess reuses this buffer after we return, so the bytes must be copied here
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        if (buffered.addAndGet(bytes.length) > maxBufferedBytes) {
            buffered.addAndGet(-bytes.length);
            return false;
        }
        sink.next(stdout ? ProcessOutput.stdout(bytes) : ProcessOutput.stderr(bytes));
        return true;
    }

    /** Called as each element reaches the subscriber. */
    void delivered(ProcessOutput element) {
        buffered.addAndGet(-element.size());
    }

    long bufferedBytes() {
        return buffered.get();
    }

    @Override
    public String overflowMessage() {
        return "'" + command.commandLine() + "' output overflow: the subscriber lagged by more than maxBufferedBytes="
                + maxBufferedBytes + " bytes; process tree killed";
    }

    @Override
    public long overflowLimit() {
        return maxBufferedBytes;
    }

    @Override
    public void complete(long pid, ExitStatus status, long durationNanos) {
        sink.next(ProcessOutput.exit(status));
        sink.complete();
    }

    @Override
    public void fail(Throwable error) {
        sink.error(error);
    }
}
