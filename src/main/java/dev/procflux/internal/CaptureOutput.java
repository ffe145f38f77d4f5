package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.ExitStatus;
import dev.procflux.OutputLimitPolicy;
import dev.procflux.ProcessResult;
import java.nio.ByteBuffer;
import java.time.Duration;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/** Collects a process's output, bounded per stream, into one {@link ProcessResult} for {@code execute}. */
final class CaptureOutput implements RunOutput {
    private final Command command;
    private final MonoSink<ProcessResult> sink;
    private final Scheduler delivery;
    // written only on the NuProcess I/O thread; read after the exit, which the exit signal publishes
    private final BoundedBytes stdout;
    private final BoundedBytes stderr;
    private volatile String overflowedStream = "stdout";

    CaptureOutput(Command command, MonoSink<ProcessResult> sink, Scheduler delivery) {
        this.command = command;
        this.sink = sink;
        this.delivery = delivery;
        boolean truncate = command.outputLimitPolicy() == OutputLimitPolicy.TRUNCATE;
        this.stdout = new BoundedBytes(command.maxOutputBytes(), truncate);
        this.stderr = new BoundedBytes(command.maxOutputBytes(), truncate);
    }

    @Override
    public boolean onStdout(ByteBuffer buffer) {
        return stdout.append(buffer);
    }

    @Override
    public boolean onStderr(ByteBuffer buffer) {
        if (stderr.append(buffer)) {
            return true;
        }
        overflowedStream = "stderr";
        return false;
    }

    @Override
    public String overflowMessage() {
        return "'" + command.commandLine() + "' wrote more than maxOutputBytes=" + command.maxOutputBytes()
                + " bytes to " + overflowedStream + "; process tree killed (use OutputLimitPolicy.TRUNCATE to keep"
                + " the first bytes instead)";
    }

    @Override
    public long overflowLimit() {
        return command.maxOutputBytes();
    }

    @Override
    public void complete(long pid, ExitStatus status, long durationNanos) {
        ProcessResult result = ProcessResult.builder(command, status).pid(pid).stdout(stdout.toArray())
                .stderr(stderr.toArray()).stdoutTruncated(stdout.isTruncated()).stderrTruncated(stderr.isTruncated())
                .duration(Duration.ofNanos(durationNanos)).build();
        delivery.schedule(() -> sink.success(result));
    }

    @Override
    public void fail(Throwable error) {
        delivery.schedule(() -> sink.error(error));
    }
}
