package dev.procflux;

/**
 * What {@link ProcessEngine#stream(Command)} and {@link ProcessEngine#lines(Command)} do when the subscriber reads
 * more slowly than the process writes. NuProcess must consume every byte the process writes, so procflux holds
 * unrequested output itself; this policy bounds it.
 */
public enum BackpressurePolicy {
    /**
     * The default: pause the process tree (SIGSTOP) once the queued output nears
     * {@link EngineOptions#highWaterBytes()} and resume it (SIGCONT) once the subscriber has drained it to
     * {@link EngineOptions#lowWaterBytes()}. A slow subscriber makes the process slow down; memory stays under
     * {@code highWaterBytes + 64 KiB} per process (defaults: 2 MiB high, 512 KiB low). Cancelling a paused process resumes and kills it.
     */
    PAUSE,
    /**
     * Never pause: fail with {@link ProcessOutputOverflowException} and kill the tree once the queued output passes
     * {@link EngineOptions#maxBufferedBytes()}. For processes that must not be stopped (timing-sensitive tools).
     */
    FAIL
}
