package dev.procflux.cli;

import java.util.BitSet;

/**
 * The job slots of {@code {%}}: a starting job takes the lowest free slot, from 1, and gives it back when it ends,
 * as in GNU parallel. Thread-safe: guarded by {@code this}.
 */
final class JobSlots {
    private final BitSet used = new BitSet();

    synchronized int take() {
        int slot = used.nextClearBit(1);
        used.set(slot);
        return slot;
    }

    synchronized void release(int slot) {
        used.clear(slot);
    }
}
