package dev.procflux.boot;

import dev.procflux.BackpressurePolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;
import org.springframework.util.unit.DataSize;

/**
 * The {@code procflux.*} properties. A setting left unset keeps the library's default (see
 * {@link dev.procflux.ProcessEngine.Builder} and {@link dev.procflux.WorkerPool.Builder}).
 */
@ConfigurationProperties("procflux")
public class ProcfluxProperties {
    private final Engine engine = new Engine();
    private final Map<String, ProcfluxWorkerProperties> workers = new LinkedHashMap<>();
    private final Web web = new Web();

    /** @return {@code procflux.engine.*} */
    public Engine getEngine() {
        return engine;
    }

    /** @return {@code procflux.workers.<name>.*}: one worker pool per name */
    public Map<String, ProcfluxWorkerProperties> getWorkers() {
        return workers;
    }

    /** @return {@code procflux.web.*} */
    public Web getWeb() {
        return web;
    }

    /** {@code procflux.engine.*}: the settings of the {@link dev.procflux.ProcessEngine} bean. */
    public static class Engine {
        /** Most processes alive at once across all callers. Default: twice the CPU count, at least 4. */
        private @Nullable Integer maxConcurrency;
        /** Most callers waiting for a slot; one more fails at once. Default 1024. */
        private @Nullable Integer maxPendingAcquire;
        /**
         * How long a caller waits for a slot; 0 fails at once when no slot is free, negative (-1s) means no limit.
         * Default: no limit.
         */
        private @Nullable Duration acquireTimeout;
        /** Time between SIGTERM and SIGKILL when a process tree is killed. Default 2s. */
        private @Nullable Duration killGracePeriod;
        /** Most output held per process for a lagging stream subscriber. Default 8MB. */
        private @Nullable DataSize maxBufferedBytes;
        /** What a stream does when its subscriber lags: PAUSE the process or FAIL the stream. Default PAUSE. */
        private @Nullable BackpressurePolicy backpressure;
        /** Largest queued output at which a process is paused under PAUSE (set with low-water-bytes). Default 4MB. */
        private @Nullable DataSize highWaterBytes;
        /** Queued output at which a paused process is resumed (set with high-water-bytes). Default 1MB. */
        private @Nullable DataSize lowWaterBytes;
        /**
         * Budget for output queued in all streams together under PAUSE; at least 64KB, or negative (-1) for no
         * budget. Default: a quarter of the maximum heap, at most 256MB.
         */
        private @Nullable DataSize maxTotalBufferedBytes;
        /**
         * Whether streams (stream, lines, pipe) read stdout on the delivery scheduler as their subscriber asks, instead
         * of on the shared I/O thread; only under backpressure PAUSE and on Linux, ignored elsewhere. Default false.
         */
        private @Nullable Boolean directReads;
        /**
         * How long running processes and worker requests may take to finish when the application stops, after the
         * web server's graceful shutdown; then they are killed. Default: spring.lifecycle.timeout-per-shutdown-phase
         * (30s).
         */
        private @Nullable Duration shutdownDrain;

        /** @return the property */
        public @Nullable Integer getMaxConcurrency() {
            return maxConcurrency;
        }

        /** @param maxConcurrency the property */
        public void setMaxConcurrency(@Nullable Integer maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
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
        public @Nullable Duration getAcquireTimeout() {
            return acquireTimeout;
        }

        /** @param acquireTimeout the property */
        public void setAcquireTimeout(@Nullable Duration acquireTimeout) {
            this.acquireTimeout = acquireTimeout;
        }

        /** @return the property */
        public @Nullable Duration getKillGracePeriod() {
            return killGracePeriod;
        }

        /** @param killGracePeriod the property */
        public void setKillGracePeriod(@Nullable Duration killGracePeriod) {
            this.killGracePeriod = killGracePeriod;
        }

        /** @return the property */
        public @Nullable DataSize getMaxBufferedBytes() {
            return maxBufferedBytes;
        }

        /** @param maxBufferedBytes the property */
        public void setMaxBufferedBytes(@Nullable DataSize maxBufferedBytes) {
            this.maxBufferedBytes = maxBufferedBytes;
        }

        /** @return the property */
        public @Nullable BackpressurePolicy getBackpressure() {
            return backpressure;
        }

        /** @param backpressure the property */
        public void setBackpressure(@Nullable BackpressurePolicy backpressure) {
            this.backpressure = backpressure;
        }

        /** @return the property */
        public @Nullable DataSize getHighWaterBytes() {
            return highWaterBytes;
        }

        /** @param highWaterBytes the property */
        public void setHighWaterBytes(@Nullable DataSize highWaterBytes) {
            this.highWaterBytes = highWaterBytes;
        }

        /** @return the property */
        public @Nullable DataSize getLowWaterBytes() {
            return lowWaterBytes;
        }

        /** @param lowWaterBytes the property */
        public void setLowWaterBytes(@Nullable DataSize lowWaterBytes) {
            this.lowWaterBytes = lowWaterBytes;
        }

        /** @return the property */
        public @Nullable DataSize getMaxTotalBufferedBytes() {
            return maxTotalBufferedBytes;
        }

        /** @param maxTotalBufferedBytes the property */
        public void setMaxTotalBufferedBytes(@Nullable DataSize maxTotalBufferedBytes) {
            this.maxTotalBufferedBytes = maxTotalBufferedBytes;
        }

        /** @return the property */
        public @Nullable Boolean getDirectReads() {
            return directReads;
        }

        /** @param directReads the property */
        public void setDirectReads(@Nullable Boolean directReads) {
            this.directReads = directReads;
        }

        /** @return the property */
        public @Nullable Duration getShutdownDrain() {
            return shutdownDrain;
        }

        /** @param shutdownDrain the property */
        public void setShutdownDrain(@Nullable Duration shutdownDrain) {
            this.shutdownDrain = shutdownDrain;
        }
    }

    /** {@code procflux.web.*}: the HTTP routes. */
    public static class Web {
        /** Whether to serve the actions' HTTP routes (in a reactive web application). Default false. */
        private boolean enabled;
        /** The prefix the routes are mounted under; empty or / for the root. Default /procflux. */
        private String path = "/procflux";
        /** Requires "Authorization: Bearer TOKEN" (at least 16 characters) on every route but the page and health. */
        private @Nullable String bearerToken;
        /**
         * The actions file, e.g. classpath:actions.yaml or file:/etc/procflux/actions.yaml. Its engine: section sets
         * engine defaults that procflux.engine.* overrides, and its workers: add worker pools.
         */
        private @Nullable Resource actions;
        /** Host names the routes answer besides localhost and IP literals (DNS-rebinding defence); * for any. */
        private List<String> allowedHosts = new ArrayList<>();
        /** Origins whose pages may run actions besides the server's own (cross-site request defence); * for any. */
        private List<String> allowedOrigins = new ArrayList<>();

        /** @return the property */
        public boolean isEnabled() {
            return enabled;
        }

        /** @param enabled the property */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** @return the property */
        public String getPath() {
            return path;
        }

        /** @param path the property */
        public void setPath(String path) {
            this.path = path;
        }

        /** @return the property */
        public @Nullable String getBearerToken() {
            return bearerToken;
        }

        /** @param bearerToken the property */
        public void setBearerToken(@Nullable String bearerToken) {
            this.bearerToken = bearerToken;
        }

        /** @return the property */
        public @Nullable Resource getActions() {
            return actions;
        }

        /** @param actions the property */
        public void setActions(@Nullable Resource actions) {
            this.actions = actions;
        }

        /** @return the property */
        public List<String> getAllowedHosts() {
            return allowedHosts;
        }

        /** @param allowedHosts the property */
        public void setAllowedHosts(List<String> allowedHosts) {
            this.allowedHosts = allowedHosts;
        }

        /** @return the property */
        public List<String> getAllowedOrigins() {
            return allowedOrigins;
        }

        /** @param allowedOrigins the property */
        public void setAllowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = allowedOrigins;
        }
    }
}
