package dev.procflux;

/**
 * A snapshot of a {@link ProcessEngine}'s figures. Immutable; take a new one with {@link ProcessEngine#metrics()}.
 * Counters count since the engine was built. A figure that is also a {@link WorkerPoolMetrics} figure has the same
 * name there ({@code alive}, {@code acquired}, {@code pending}, {@code started}, {@code succeeded}, {@code failed},
 * {@code startFailures}).
 */
public final class EngineMetrics {
    private final int alive;
    private final int acquired;
    private final int pending;
    private final int maxConcurrency;
    private final long started;
    private final long succeeded;
    private final long failed;
    private final long timedOut;
    private final long cancelled;
    private final long startFailures;
    private final long rejected;
    private final long bufferedBytes;
    private final long reservedBytes;
    private final long peakBufferedBytes;
    private final long pauses;
    private final long budgetPauses;

    private EngineMetrics(Builder b) {
        alive = b.alive;
        acquired = b.acquired;
        pending = b.pending;
        maxConcurrency = b.maxConcurrency;
        started = b.started;
        succeeded = b.succeeded;
        failed = b.failed;
        timedOut = b.timedOut;
        cancelled = b.cancelled;
        startFailures = b.startFailures;
        rejected = b.rejected;
        bufferedBytes = b.bufferedBytes;
        reservedBytes = b.reservedBytes;
        peakBufferedBytes = b.peakBufferedBytes;
        pauses = b.pauses;
        budgetPauses = b.budgetPauses;
    }

    /**
     * A builder for engine implementations and test doubles; every figure not set is zero, so a figure added
     * later never breaks a caller.
     *
     * @return a builder with every figure zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return processes alive now */
    public int alive() {
        return alive;
    }

    /** @return slots held now (a slot is held from acquire until its process is gone) */
    public int acquired() {
        return acquired;
    }

    /** @return callers waiting for a slot */
    public int pending() {
        return pending;
    }

    /** @return the slot limit */
    public int maxConcurrency() {
        return maxConcurrency;
    }

    /** @return processes started */
    public long started() {
        return started;
    }

    /** @return processes that exited with status 0 */
    public long succeeded() {
        return succeeded;
    }

    /** @return processes that ended with a non-zero status or a signal (not counting timeouts and cancels) */
    public long failed() {
        return failed;
    }

    /** @return processes killed by their timeout */
    public long timedOut() {
        return timedOut;
    }

    /** @return processes killed because the subscriber cancelled or the engine was disposed */
    public long cancelled() {
        return cancelled;
    }

    /** @return processes that could not be started */
    public long startFailures() {
        return startFailures;
    }

    /** @return calls refused because the engine was overloaded or disposed */
    public long rejected() {
        return rejected;
    }

    /**
     * @return output bytes held for subscribers now, all streams together (bounded by
     *         {@link EngineOptions#maxTotalBufferedBytes()})
     */
    public long bufferedBytes() {
        return bufferedBytes;
    }

    /**
     * @return output bytes the {@link BackpressurePolicy#PAUSE} streams may still queue now, all together, counted
     *         against {@link EngineOptions#maxTotalBufferedBytes()} besides {@link #bufferedBytes()}: each running
     *         stream's reserve (what its stdout pipe may still deliver after the read that pauses it, less what
     *         arrived since its pause) and 12 KiB for each slot a stream is about to start in; 0 when no stream runs
     *         or is about to start (streams waiting for a slot hold none)
     */
    public long reservedBytes() {
        return reservedBytes;
    }

    /** @return the most output bytes ever held for one process's subscriber (the bound backpressure keeps) */
    public long peakBufferedBytes() {
        return peakBufferedBytes;
    }

    /** @return times a process was paused (SIGSTOP) because its subscriber lagged */
    public long pauses() {
        return pauses;
    }

    /**
     * @return times a process was paused because the engine's queued output, with what the streams may still queue
     *         after their pauses, reached {@link EngineOptions#maxTotalBufferedBytes()} (also counted in
     *         {@link #pauses()})
     */
    public long budgetPauses() {
        return budgetPauses;
    }

    @Override
    public String toString() {
        return "EngineMetrics[alive=" + alive + ", acquired=" + acquired + "/" + maxConcurrency + ", pending="
                + pending + ", started=" + started + ", succeeded=" + succeeded + ", failed=" + failed
                + ", timedOut=" + timedOut + ", cancelled=" + cancelled + ", startFailures=" + startFailures
                + ", rejected=" + rejected + ", bufferedBytes=" + bufferedBytes + ", reservedBytes=" + reservedBytes
                + ", peakBufferedBytes=" + peakBufferedBytes + ", pauses=" + pauses + ", budgetPauses=" + budgetPauses
                + "]";
    }

    /** Sets the figures of an {@link EngineMetrics}; each setter is named after its accessor. Not thread-safe. */
    public static final class Builder {
        private int alive;
        private int acquired;
        private int pending;
        private int maxConcurrency;
        private long started;
        private long succeeded;
        private long failed;
        private long timedOut;
        private long cancelled;
        private long startFailures;
        private long rejected;
        private long bufferedBytes;
        private long reservedBytes;
        private long peakBufferedBytes;
        private long pauses;
        private long budgetPauses;

        private Builder() {
        }

        /**
         * @param value see {@link EngineMetrics#alive()}
         * @return this builder
         */
        public Builder alive(int value) {
            this.alive = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#acquired()}
         * @return this builder
         */
        public Builder acquired(int value) {
            this.acquired = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#pending()}
         * @return this builder
         */
        public Builder pending(int value) {
            this.pending = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#maxConcurrency()}
         * @return this builder
         */
        public Builder maxConcurrency(int value) {
            this.maxConcurrency = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#started()}
         * @return this builder
         */
        public Builder started(long value) {
            this.started = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#succeeded()}
         * @return this builder
         */
        public Builder succeeded(long value) {
            this.succeeded = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#failed()}
         * @return this builder
         */
        public Builder failed(long value) {
            this.failed = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#timedOut()}
         * @return this builder
         */
        public Builder timedOut(long value) {
            this.timedOut = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#cancelled()}
         * @return this builder
         */
        public Builder cancelled(long value) {
            this.cancelled = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#startFailures()}
         * @return this builder
         */
        public Builder startFailures(long value) {
            this.startFailures = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#rejected()}
         * @return this builder
         */
        public Builder rejected(long value) {
            this.rejected = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#bufferedBytes()}
         * @return this builder
         */
        public Builder bufferedBytes(long value) {
            this.bufferedBytes = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#reservedBytes()}
         * @return this builder
         */
        public Builder reservedBytes(long value) {
            this.reservedBytes = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#peakBufferedBytes()}
         * @return this builder
         */
        public Builder peakBufferedBytes(long value) {
            this.peakBufferedBytes = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#pauses()}
         * @return this builder
         */
        public Builder pauses(long value) {
            this.pauses = value;
            return this;
        }

        /**
         * @param value see {@link EngineMetrics#budgetPauses()}
         * @return this builder
         */
        public Builder budgetPauses(long value) {
            this.budgetPauses = value;
            return this;
        }

        /** @return the snapshot */
        public EngineMetrics build() {
            return new EngineMetrics(this);
        }
    }
}
