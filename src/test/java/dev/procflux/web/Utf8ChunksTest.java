package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Utf8ChunksTest {
    @Test
    void aCharacterSplitAcrossChunksIsDecodedWhole() {
        byte[] bytes = "a😀é日".getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            Utf8Chunks d = new Utf8Chunks();
            String text = d.decode(Arrays.copyOfRange(bytes, 0, cut)) + d.decode(Arrays.copyOfRange(bytes, cut,
                    bytes.length)) + d.finish();
            assertThat(text).as("cut at %d", cut).isEqualTo("a😀é日");
        }
    }

    @Test
    void malformedBytesBecomeReplacementCharacters() {
        Utf8Chunks d = new Utf8Chunks();
        assertThat(d.decode(new byte[] {'a', (byte) 0xFF, 'b'})).isEqualTo("a\uFFFDb");
        assertThat(d.decode(new byte[] {'c', (byte) 0xE6})).isEqualTo("c");
        assertThat(d.finish()).isEqualTo("\uFFFD");
    }
}
