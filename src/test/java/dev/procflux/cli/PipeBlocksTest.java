package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PipeBlocksTest {

    private static List<byte[]> blocks(byte[] input, int block, String recend) {
        // a stream that returns at most 7 bytes per read, so blocks are assembled from many reads
        InputStream in = new FilterInputStream(new ByteArrayInputStream(input)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 7));
            }
        };
        List<byte[]> out = new ArrayList<>();
        new PipeBlocks(in, block, recend.getBytes(StandardCharsets.UTF_8)).forEachRemaining(out::add);
        return out;
    }

    @Test
    void eachBlockEndsAfterTheLastRecordEndWithinTheBlockSizeAndTogetherTheyAreTheInput() {
        Random random = new Random(3);
        ByteArrayOutputStream input = new ByteArrayOutputStream();
        for (int i = 0; i < 500; i++) {
            input.writeBytes(("x".repeat(random.nextInt(90)) + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        byte[] bytes = input.toByteArray();
        List<byte[]> blocks = blocks(bytes, 1000, "\n");
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        int offset = 0;
        for (byte[] b : blocks.subList(0, blocks.size() - 1)) {
            assertThat(b.length).isLessThanOrEqualTo(1000);
            assertThat(b[b.length - 1]).isEqualTo((byte) '\n');
            // what GNU parallel does: no record end between this block's end and the block size
            int limit = Math.min(bytes.length, offset + 1000);
            for (int i = offset + b.length; i < limit; i++) {
                assertThat(bytes[i]).isNotEqualTo((byte) '\n');
            }
            offset += b.length;
            joined.writeBytes(b);
        }
        joined.writeBytes(blocks.get(blocks.size() - 1));
        assertThat(joined.toByteArray()).isEqualTo(bytes);
    }

    @Test
    void aRecordLongerThanABlockMakesTheBlockSizeGrowAsInGnuParallel() {
        // what parallel --pipe --block 4 cuts these into (it grows the block from 4 to 7 to 11)
        List<byte[]> blocks = blocks("ab\nccccccccc\nd".getBytes(StandardCharsets.US_ASCII), 4, "\n");
        assertThat(blocks).extracting(b -> new String(b, StandardCharsets.US_ASCII))
                .containsExactly("ab\n", "ccccccccc\n", "d");
        assertThat(blocks("ab\nccccccccc\nddd\neeeeee\nf\n".getBytes(StandardCharsets.US_ASCII), 4, "\n"))
                .extracting(b -> new String(b, StandardCharsets.US_ASCII))
                .containsExactly("ab\n", "ccccccccc\n", "ddd\neeeeee\n", "f\n");
    }

    @Test
    void anotherRecordEndAndNone() {
        assertThat(blocks("a,bb,ccc,dddd,".getBytes(StandardCharsets.US_ASCII), 3, ","))
                .extracting(b -> new String(b, StandardCharsets.US_ASCII))
                .containsExactly("a,", "bb,", "ccc,", "dddd,");
        assertThat(blocks("abcdefg".getBytes(StandardCharsets.US_ASCII), 3, ""))
                .extracting(b -> new String(b, StandardCharsets.US_ASCII)).containsExactly("abc", "def", "g");
        assertThat(blocks(new byte[0], 3, "\n")).isEmpty();
    }
}
