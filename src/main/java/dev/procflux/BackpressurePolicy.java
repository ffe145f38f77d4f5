package dev.procflux;

/**
 * What {@link ProcessEngine#stream(Command)} and {@link ProcessEngine#lines(Command)} do when the subscriber reads
 * more slowly than the process writes. NuProcess must consume every byte the process writes, so procflux holds
 * unrequested output itself; this policy bounds it.
 */
public enum BackpressurePolicy {
    /**
     * The default: pause the process tree (SIGSTOP) once the queued output nears the stream's high-water mark and
     * resume it (SIGCONT) once the subscriber has drained it to the resume mark. Marks adapt per stream: 128 KiB at
     * first, growing up to {@link EngineOptions#highWaterBytes()} only while the subscriber keeps draining, back to
     * 128 KiB when it stalls (see {@link ProcessEngine.Builder#watermarks(long, long)}). A slow subscriber makes the
     * process slow down; memory stays under the mark + 64 KiB per process (about 192 KiB for a stalled subscriber,
     * at most {@code highWaterBytes + 64 KiB}), and all streams together stay within
     * {@link EngineOptions#maxTotalBufferedBytes()} while it is at least 12 KiB per stream that may run at once
     * (streams waiting for a slot hold nothing; see {@link ProcessEngine.Builder#maxTotalBufferedBytes(long)}).
     * Cancelling a paused process resumes and kills it.
     * <p>A stop that lands while the process is blocked writing to its full pipe ends that {@code write(2)} early
     * with a short count, as any signal does. Programs that write through stdio, or retry short writes as POSIX
     * requires, lose nothing; a program that ignores what {@code write} returns loses the rest of that write, so
     * run it under {@link #FAIL}.
     */
    PAUSE,
    /**
     * Never pause: fail with {@link ProcessOutputOverflowException} and kill the tree once the queued output passes
     * {@link EngineOptions#maxBufferedBytes()}. For processes that must not be stopped (timing-sensitive tools).
     */
    FAIL
}
