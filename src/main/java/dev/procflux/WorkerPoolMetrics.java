package dev.procflux;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a {@link WorkerPool}'s figures. Immutable; take a new one with {@link WorkerPool#metrics()}.
 * Counters count since the pool was built. A figure that is also an {@link EngineMetrics} figure has the same name
 * there ({@code alive}, {@code acquired}, {@code pending}, {@code started}, {@code succeeded}, {@code failed},
 * {@code startFailures}).
 */
public final class WorkerPoolMetrics {
    private final int alive;
    private final int idle;
    private final int acquired;
    private final int pending;
    private final int maxSize;
    private final long succeeded;
    private final long failed;
    private final long started;
    private final long startFailures;
    private final Map<WorkerRestartCause, Long> restarts;

    private WorkerPoolMetrics(Builder b) {
        alive = b.alive;
        idle = b.idle;
        acquired = b.acquired;
        pending = b.pending;
        maxSize = b.maxSize;
        succeeded = b.succeeded;
        failed = b.failed;
        started = b.started;
        startFailures = b.startFailures;
        restarts = Collections.unmodifiableMap(new EnumMap<>(b.restarts));
    }

    /**
     * A builder for pool implementations and test doubles; every figure not set is zero, so a figure added later
     * never breaks a caller.
     *
     * @return a builder with every figure zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return worker processes alive now (starting, idle, acquired or being killed) */
    public int alive() {
        return alive;
    }

    /** @return workers waiting in the pool for a request */
    public int idle() {
        return idle;
    }

    /** @return workers acquired by a caller now */
    public int acquired() {
        return acquired;
    }

    /** @return callers waiting for a worker */
    public int pending() {
        return pending;
    }

    /** @return the most workers alive at once */
    public int maxSize() {
        return maxSize;
    }

    /** @return requests answered */
    public long succeeded() {
        return succeeded;
    }

    /**
     * @return requests that failed after a worker was acquired (crash, timeout, protocol error, dispose); cancels
     *         are not counted
     */
    public long failed() {
        return failed;
    }

    /** @return worker processes started */
    public long started() {
        return started;
    }

    /** @return workers that could not be launched or died before their first reply */
    public long startFailures() {
        return startFailures;
    }

    /**
     * @param cause the cause
     * @return workers retired for {@code cause}
     */
    public long restarts(WorkerRestartCause cause) {
        return restarts.get(Objects.requireNonNull(cause, "cause"));
    }

    /** @return workers retired, by cause, every cause present; unmodifiable */
    public Map<WorkerRestartCause, Long> restarts() {
        return restarts;
    }

    @Override
    public String toString() {
        return "WorkerPoolMetrics[alive=" + alive + "/" + maxSize + ", idle=" + idle + ", acquired=" + acquired
                + ", pending=" + pending + ", succeeded=" + succeeded + ", failed=" + failed + ", started="
                + started + ", startFailures=" + startFailures + ", restarts=" + restarts + "]";
    }

    /** Sets the figures of a {@link WorkerPoolMetrics}; each setter is named after its accessor. Not thread-safe. */
    public static final class Builder {
        private int alive;
        private int idle;
        private int acquired;
        private int pending;
        private int maxSize;
        private long succeeded;
        private long failed;
        private long started;
        private long startFailures;
        private final EnumMap<WorkerRestartCause, Long> restarts = new EnumMap<>(WorkerRestartCause.class);

        private Builder() {
            for (WorkerRestartCause c : WorkerRestartCause.values()) {
                restarts.put(c, 0L);
            }
        }

        /**
         * @param value see {@link WorkerPoolMetrics#alive()}
         * @return this builder
         */
        public Builder alive(int value) {
            this.alive = value;
            return this;
        }

        /**
         * @param value see {@link WorkerPoolMetrics#idle()}
         * @return this builder
         */
        public Builder idle(int value) {
            this.idle = value;
            return this;
        }

        /**
         * @param value see {@link WorkerPoolMetrics#acquired()}
         * @return this builder
         */
        public Builder acquired(int value) {
            this.acquired = value;
            return this;
        }

        /**
         * @param value see {@link WorkerPoolMetrics#pending()}
         * @return this builder
         */
        public Builder pending(int value) {
            this.pending = value;
            return this;
        }

        /**
         * @param value see {@link WorkerPoolMetrics#maxSize()}
         * @return this builder
         */
        public Builder maxSize(int value) {
            this.maxSize = value;
            return this;
        }

        /**
         * @param value see {@link WorkerPoolMetrics#succeeded()}
         * @return this builder
         */
        public Builder succeeded(long value) {
            this.succeeded = value;
            return this;
        }

        /**
         * @param value see {@link WorkerPoolMetrics#failed()}
         * @return this builder
         */
        public Builder failed(long value) {
            this.failed = value;
            return this;
        }

        /**
         * @param value see {@link WorkerPoolMetrics#started()}
         * @return this builder
         */
        public Builder started(long value) {
            this.started = value;
            return this;
        }

        /**
         * @param value see {@link WorkerPoolMetrics#startFailures()}
         * @return this builder
         */
        public Builder startFailures(long value) {
            this.startFailures = value;
            return this;
        }

        /**
         * @param cause the cause
         * @param value see {@link WorkerPoolMetrics#restarts(WorkerRestartCause)}
         * @return this builder
         */
        public Builder restarts(WorkerRestartCause cause, long value) {
            restarts.put(Objects.requireNonNull(cause, "cause"), value);
            return this;
        }

        /** @return the snapshot */
        public WorkerPoolMetrics build() {
            return new WorkerPoolMetrics(this);
        }
    }
}
