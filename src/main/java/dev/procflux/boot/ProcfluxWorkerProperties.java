package dev.procflux.boot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** {@code procflux.workers.<name>.*}: one {@link dev.procflux.WorkerPool}, as in an actions file's workers. */
public class ProcfluxWorkerProperties {
    /** The worker's argv, e.g. [python3, -u, upper.py]. Required. */
    private List<String> command = new ArrayList<>();
    /** How requests and replies are framed: LINES (text) or LENGTH_PREFIXED (bytes). Default LINES. */
    private Protocol protocol = Protocol.LINES;
    private final Size size = new Size();
    /** Most callers waiting for a worker. Default 1024. */
    private @Nullable Integer maxPendingAcquire;
    /** Requests a worker serves before it is replaced; 0 means no limit. Default 0. */
    private @Nullable Integer maxRequestsPerWorker;
    /** How long a worker may stay idle before it is stopped; 0 means no limit. Default 0. */
    private @Nullable Duration evictionIdle;
    /** How long a worker may live before it is replaced; 0 means no limit. Default 0. */
    private @Nullable Duration maxLifetime;
    /** How long a request may wait for its reply. Default 30s. */
    private @Nullable Duration requestTimeout;
    /** Workers in a row that may fail to start before the pool stops launching. Default 3. */
    private @Nullable Integer maxStartAttempts;
    /** Times an idempotent call is retried on another worker after a crash. Default 2. */
    private @Nullable Integer idempotentRetries;
    /** Pause before relaunching after a failed start. Default 100ms. */
    private @Nullable Duration startBackoff;

    /** @return the property */
    public List<String> getCommand() {
        return command;
    }

    /** @param command the property */
    public void setCommand(List<String> command) {
        this.command = command;
    }

    /** @return the property */
    public Protocol getProtocol() {
        return protocol;
    }

    /** @param protocol the property */
    public void setProtocol(Protocol protocol) {
        this.protocol = protocol;
    }

    /** @return {@code procflux.workers.<name>.size.*} */
    public Size getSize() {
        return size;
    }

    /** @return the property */
    public @Nullable Integer getMaxPendingAcquire() {
        return maxPendingAcquire;
    }

    /** @param maxPendingAcquire the property */
    public void setMaxPendingAcquire(@Nullable Integer maxPendingAcquire) {
        this.maxPendingAcquire = maxPendingAcquire;
    }

    /** @return the property */
    public @Nullable Integer getMaxRequestsPerWorker() {
        return maxRequestsPerWorker;
    }

    /** @param maxRequestsPerWorker the property */
    public void setMaxRequestsPerWorker(@Nullable Integer maxRequestsPerWorker) {
        this.maxRequestsPerWorker = maxRequestsPerWorker;
    }

    /** @return the property */
    public @Nullable Duration getEvictionIdle() {
        return evictionIdle;
    }

    /** @param evictionIdle the property */
    public void setEvictionIdle(@Nullable Duration evictionIdle) {
        this.evictionIdle = evictionIdle;
    }

    /** @return the property */
    public @Nullable Duration getMaxLifetime() {
        return maxLifetime;
    }

    /** @param maxLifetime the property */
    public void setMaxLifetime(@Nullable Duration maxLifetime) {
        this.maxLifetime = maxLifetime;
    }

    /** @return the property */
    public @Nullable Duration getRequestTimeout() {
        return requestTimeout;
    }

    /** @param requestTimeout the property */
    public void setRequestTimeout(@Nullable Duration requestTimeout) {
        this.requestTimeout = requestTimeout;
    }

    /** @return the property */
    public @Nullable Integer getMaxStartAttempts() {
        return maxStartAttempts;
    }

    /** @param maxStartAttempts the property */
    public void setMaxStartAttempts(@Nullable Integer maxStartAttempts) {
        this.maxStartAttempts = maxStartAttempts;
    }

    /** @return the property */
    public @Nullable Integer getIdempotentRetries() {
        return idempotentRetries;
    }

    /** @param idempotentRetries the property */
    public void setIdempotentRetries(@Nullable Integer idempotentRetries) {
        this.idempotentRetries = idempotentRetries;
    }

    /** @return the property */
    public @Nullable Duration getStartBackoff() {
        return startBackoff;
    }

    /** @param startBackoff the property */
    public void setStartBackoff(@Nullable Duration startBackoff) {
        this.startBackoff = startBackoff;
    }

    /** How a worker pool frames requests and replies. */
    public enum Protocol {
        /** One line in, one line out; served as text. */
        LINES,
        /** A 4-byte length, then the bytes; served as raw bytes. */
        LENGTH_PREFIXED
    }

    /** {@code procflux.workers.<name>.size.*}. */
    public static class Size {
        /** Workers started with the pool and kept warm. Default 1. */
        private @Nullable Integer min;
        /** Most workers alive at once. Default: the CPU count, at least 2. */
        private @Nullable Integer max;

        /** @return the property */
        public @Nullable Integer getMin() {
            return min;
        }

        /** @param min the property */
        public void setMin(@Nullable Integer min) {
            this.min = min;
        }

        /** @return the property */
        public @Nullable Integer getMax() {
            return max;
        }

        /** @param max the property */
        public void setMax(@Nullable Integer max) {
            this.max = max;
        }
    }
}
