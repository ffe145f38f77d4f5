package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.procflux.ExitStatus;
import dev.procflux.ProcessOutput;
import dev.procflux.ProcessOutputOverflowException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamEncoderTest {
    private static final byte[] EURO = "€".getBytes(StandardCharsets.UTF_8);

    private static List<String> text(List<byte[]> frames) {
        return frames.stream().map(f -> new String(f, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void anOverflowNamesTheCommandLineAndTheLimit() {
        StreamEncoder.Frames frames = new StreamEncoder.Frames(StreamFormat.NDJSON, 4, "printf hello");
        assertThatThrownBy(() -> frames.frames(ProcessOutput.stdout("hello".getBytes(StandardCharsets.UTF_8))))
                .isInstanceOfSatisfying(ProcessOutputOverflowException.class, e -> {
                    assertThat(e.commandLine()).isEqualTo("printf hello");
                    assertThat(e.limitBytes()).isEqualTo(4);
                })
                .hasMessage("the output passed the action's limit of 4 bytes; process tree killed");
    }

    @Test
    void ndjsonLinesKeepACharacterSplitAcrossChunksWholeAndEndWithTheExit() {
        StreamEncoder.Frames frames = new StreamEncoder.Frames(StreamFormat.NDJSON, 100, "cmd");
        assertThat(text(frames.frames(ProcessOutput.stdout(new byte[] {'a', EURO[0]}))))
                .containsExactly("{\"stream\":\"stdout\",\"text\":\"a\"}\n");
        assertThat(text(frames.frames(ProcessOutput.stdout(new byte[] {EURO[1], EURO[2]}))))
                .containsExactly("{\"stream\":\"stdout\",\"text\":\"€\"}\n");
        assertThat(text(frames.frames(ProcessOutput.stderr(new byte[] {'e', EURO[0]}))))
                .containsExactly("{\"stream\":\"stderr\",\"text\":\"e\"}\n");
        List<String> end = text(frames.frames(ProcessOutput.exit(ExitStatus.exited(3))));
        assertThat(end).hasSize(2);
        assertThat(end.get(0)).isEqualTo("{\"stream\":\"stderr\",\"text\":\"\uFFFD\"}\n");
        assertThat(end.get(1)).startsWith("{\"stream\":\"exit\",\"exitCode\":3,\"signal\":null,\"durationMs\":")
                .endsWith("}\n");
    }

    @Test
    void eventStreamFramesAreEventsWithOneDataLine() {
        StreamEncoder.Frames frames = new StreamEncoder.Frames(StreamFormat.EVENT_STREAM, 100, "cmd");
        assertThat(text(frames.frames(ProcessOutput.stdout("a\nb\r\n".getBytes(StandardCharsets.UTF_8)))))
                .containsExactly("event: stdout\ndata: {\"text\":\"a\\nb\\r\\n\"}\n\n");
        assertThat(text(List.of(frames.error(new RequestException(413, "body-too-large", "too big")))))
                .containsExactly("event: error\ndata: {\"status\":413,\"error\":\"body-too-large\","
                        + "\"message\":\"too big\"}\n\n");
    }

    @Test
    void rawPassesStdoutBytesDropsStderrAndFailsOnAFailedExit() {
        StreamEncoder.Frames frames = new StreamEncoder.Frames(StreamFormat.RAW, 100, "cmd");
        assertThat(frames.frames(ProcessOutput.stdout(new byte[] {0, 1, (byte) 0xFF})))
                .containsExactly(new byte[] {0, 1, (byte) 0xFF});
        assertThat(frames.frames(ProcessOutput.stderr(new byte[] {'x'}))).isEmpty();
        assertThat(frames.frames(ProcessOutput.exit(ExitStatus.exited(0)))).isEmpty();
        assertThatThrownBy(() -> frames.frames(ProcessOutput.exit(ExitStatus.signaled(9))))
                .isInstanceOfSatisfying(RequestException.class, e -> assertThat(e.status()).isEqualTo(502))
                .hasMessageStartingWith("the process ended with ");
    }
}
