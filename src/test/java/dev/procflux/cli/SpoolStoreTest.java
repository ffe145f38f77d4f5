package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spools share one heap budget: beyond it their bytes go to files, which the store removes when the run ends. */
class SpoolStoreTest {
    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) seed);
        return b;
    }

    private static byte[] read(Spool spool) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        spool.writeTo(all::write);
        return all.toByteArray();
    }

    @Test
    void spoolsWaitingTogetherHoldNoMoreHeapThanTheBudgetAndGiveEveryByteBack() throws IOException {
        SpoolStore store = new SpoolStore(256 * 1024);
        List<Spool> waiting = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Spool s = store.newSpool();
            s.append(bytes(10_000, i));
            s.append(bytes(30_000, i + 1));
            s.seal();
            waiting.add(s);
            assertThat(store.heapUsed()).isLessThanOrEqualTo(256 * 1024);
        }
        for (int i = 0; i < waiting.size(); i++) {
            byte[] expected = new byte[40_000];
            System.arraycopy(bytes(10_000, i), 0, expected, 0, 10_000);
            System.arraycopy(bytes(30_000, i + 1), 0, expected, 10_000, 30_000);
            assertThat(read(waiting.get(i))).as("spool %s", i).isEqualTo(expected);
            assertThat(waiting.get(i).size()).isEqualTo(40_000);
            waiting.get(i).delete();
        }
        assertThat(store.heapUsed()).isZero();
        store.close();
    }

    @Test
    void oneSpoolKeepsAtMostItsOwnLimitOnTheHeapAndTheRestInAFile() throws IOException {
        SpoolStore store = new SpoolStore(SpoolStore.HEAP_BUDGET);
        Spool s = store.newSpool();
        for (int i = 0; i < 10; i++) {
            s.append(bytes(Spool.MEMORY_LIMIT / 2, i));
        }
        assertThat(store.heapUsed()).isEqualTo(Spool.MEMORY_LIMIT);
        assertThat(s.size()).isEqualTo(5L * Spool.MEMORY_LIMIT);
        assertThat(read(s)).hasSize(5 * Spool.MEMORY_LIMIT).startsWith(bytes(Spool.MEMORY_LIMIT / 2, 0))
                .endsWith(bytes(Spool.MEMORY_LIMIT / 2, 9));
        s.delete();
        assertThat(store.heapUsed()).isZero();
    }

    @Test
    void closingTheStoreRemovesEveryFileItsSpoolsLeft() throws IOException {
        SpoolStore store = new SpoolStore(0);
        Spool s = store.newSpool();
        s.append(bytes(100, 1));
        s.seal();
        Path directory = store.directory().orElseThrow();
        assertThat(directory).isNotEmptyDirectory();
        store.close();
        assertThat(directory).doesNotExist();
    }
}
