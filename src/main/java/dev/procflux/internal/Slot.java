package dev.procflux.internal;

/**
 * The object pooled by reactor-pool: one unit of concurrency. Holds per-slot state only (its id and use count);
 * processes are never pooled here.
 */
final class Slot {
    private final int id;
    // written by the run holding the lease; the pool's acquire/release hand-off publishes it
    private long runs;

    Slot(int id) {
        this.id = id;
    }

    int id() {
        return id;
    }

    void used() {
        runs++;
    }

    long runs() {
        return runs;
    }

    @Override
    public String toString() {
        return "Slot[" + id + ", runs=" + runs + "]";
    }
}
