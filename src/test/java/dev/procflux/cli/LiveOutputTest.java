package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LiveOutputTest {
    /** Each write as one piece, as the output lock makes it. */
    private final List<String> pieces = new ArrayList<>();
    private final LiveOutput.Writer writer = (stdout, content) -> {
        ByteArrayOutputStream piece = new ByteArrayOutputStream();
        try {
            content.writeTo(piece::write);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pieces.add((stdout ? "out:" : "err:") + piece.toString(StandardCharsets.ISO_8859_1));
    };

    @Test
    void wholeLinesAreWrittenAndTheRestWaitsForItsNewline() {
        LiveOutput output = new LiveOutput(true, new SpoolStore(), writer);
        output.chunk(true, bytes("a\nb"));
        output.chunk(true, bytes("c"));
        output.chunk(false, bytes("e"));
        assertThat(pieces).containsExactly("out:a\n");
        output.chunk(true, bytes("d\ne\nf"));
        assertThat(pieces).containsExactly("out:a\n", "out:bcd\ne\n");
        output.end();
        assertThat(pieces).containsExactly("out:a\n", "out:bcd\ne\n", "out:f", "err:e");
    }

    @Test
    void aLineLongerThanTheHeapBudgetGoesToAFileAndIsWrittenInOnePiece() throws IOException {
        try (SpoolStore store = new SpoolStore(64 * 1024)) {
            LiveOutput output = new LiveOutput(true, store, writer);
            byte[] chunk = new byte[1 << 20];
            Arrays.fill(chunk, (byte) 'x');
            for (int i = 0; i < 8; i++) {
                output.chunk(true, chunk);
                assertThat(store.heapUsed()).isLessThanOrEqualTo(64 * 1024);
            }
            assertThat(store.directory()).as("the line went to a file").isPresent();
            assertThat(pieces).isEmpty();
            output.chunk(true, bytes("y\nz"));
            assertThat(pieces).hasSize(1);
            assertThat(pieces.get(0)).hasSize(4 + 8 * (1 << 20) + 2).endsWith("xy\n");
            output.end();
            assertThat(pieces).hasSize(2).last().isEqualTo("out:z");
            assertThat(store.heapUsed()).isZero();
        }
    }

    @Test
    void withoutWholeLinesEveryChunkIsWrittenAsItComes() {
        LiveOutput output = new LiveOutput(false, new SpoolStore(), writer);
        output.chunk(true, bytes("a"));
        output.chunk(false, bytes("b\nc"));
        output.end();
        assertThat(pieces).containsExactly("out:a", "err:b\nc");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }
}
