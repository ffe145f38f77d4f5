package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.procflux.ProcessOutputOverflowException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {

    private static List<String> splitInChunks(byte[] bytes, int chunk) {
        LineSplitter s = new LineSplitter(StandardCharsets.UTF_8, 1000, "cmd");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < bytes.length; i += chunk) {
            lines.addAll(s.feed(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + chunk))));
        }
        lines.addAll(s.finish());
        return lines;
    }

    @Test
    void multiByteCharactersSplitBetweenChunksAreDecodedWhole() {
        byte[] text = "h\u00e9 \u4e16\u754c\n\ud83d\ude00 end".getBytes(StandardCharsets.UTF_8);
        for (int chunk = 1; chunk <= text.length; chunk++) {
            assertThat(splitInChunks(text, chunk)).as("chunk size %d", chunk)
                    .containsExactly("h\u00e9 \u4e16\u754c", "\ud83d\ude00 end");
        }
    }

    @Test
    void crlfAndEmptyLinesAreHandled() {
        assertThat(splitInChunks("a\r\n\nb\n".getBytes(StandardCharsets.UTF_8), 2)).containsExactly("a", "", "b");
    }

    @Test
    void malformedBytesAreReplacedNotFatal() {
        assertThat(splitInChunks(new byte[] {'a', (byte) 0xff, '\n'}, 1)).containsExactly("a\ufffd");
    }

    @Test
    void aLineOverTheLimitFailsWithTheLimitInTheMessage() {
        LineSplitter s = new LineSplitter(StandardCharsets.UTF_8, 4, "yes");
        assertThatThrownBy(() -> s.feed("12345".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ProcessOutputOverflowException.class)
                .hasMessage("'yes' wrote a line longer than maxLineLength=4 characters");
    }
}
