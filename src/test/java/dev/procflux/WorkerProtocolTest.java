package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class WorkerProtocolTest {

    private static <O> List<O> decodeInChunks(WorkerProtocol<?, O> protocol, byte[] bytes, int... cuts) {
        WorkerProtocol.Decoder<O> decoder = protocol.newDecoder();
        List<O> out = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            decoder.decode(ByteBuffer.wrap(bytes, from, cut - from), out::add);
            from = cut;
        }
        decoder.decode(ByteBuffer.wrap(bytes, from, bytes.length - from), out::add);
        return out;
    }

    private static byte[] concat(List<ByteBuffer> frames) {
        int n = frames.stream().mapToInt(ByteBuffer::remaining).sum();
        ByteBuffer all = ByteBuffer.allocate(n);
        frames.forEach(f -> all.put(f.duplicate()));
        return all.array();
    }

    @Test
    void linesDecodeTheSameRepliesWhereverTheChunksAreSplit() {
        byte[] bytes = "grüße\r\n世界 🚀\n\nlast\n".getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of("grüße", "世界 🚀", "", "last");
        for (int a = 0; a <= bytes.length; a++) {
            for (int b = a; b <= bytes.length; b++) {
                assertThat(decodeInChunks(WorkerProtocol.lines(), bytes, a, b)).as("cuts %d,%d", a, b)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void linesKeepAPartialLineUntilItsNewlineArrives() {
        WorkerProtocol.Decoder<String> decoder = WorkerProtocol.lines().newDecoder();
        List<String> out = new ArrayList<>();
        decoder.decode(ByteBuffer.wrap("abc".getBytes(StandardCharsets.UTF_8)), out::add);
        assertThat(out).isEmpty();
        decoder.decode(ByteBuffer.wrap("def\ng".getBytes(StandardCharsets.UTF_8)), out::add);
        assertThat(out).containsExactly("abcdef");
    }

    @Test
    void linesEncodeAppendsOneNewline() {
        ByteBuffer b = WorkerProtocol.lines().encode("héllo");
        assertThat(StandardCharsets.UTF_8.decode(b).toString()).isEqualTo("héllo\n");
    }

    @Test
    void linesRejectRequestsWithLineBreaks() {
        assertThatThrownBy(() -> WorkerProtocol.lines().encode("ab\rc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a lines() request must not contain a line break (found \\r at index 2)");
    }

    @Test
    void linesRejectAReplyLongerThanTheLimitEvenWithoutItsNewline() {
        WorkerProtocol.Decoder<String> decoder = WorkerProtocol.lines(4).newDecoder();
        List<String> out = new ArrayList<>();
        decoder.decode(ByteBuffer.wrap("abcd\n".getBytes(StandardCharsets.UTF_8)), out::add);
        assertThat(out).containsExactly("abcd");
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap("abcdef".getBytes(StandardCharsets.UTF_8)), out::add))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reply line longer than maxLineBytes=4 bytes");
    }

    @Test
    void linesRejectInvalidUtf8() {
        WorkerProtocol.Decoder<String> decoder = WorkerProtocol.lines().newDecoder();
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(new byte[] {'a', (byte) 0xff, '\n'}), r -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reply line is not valid UTF-8 (2 bytes): Input length = 1");
    }

    @Test
    void linesRejectANonPositiveLimit() {
        assertThatThrownBy(() -> WorkerProtocol.lines(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxLineBytes must be >= 1, was 0");
    }

    @Test
    void lengthPrefixedFramesSurviveRandomChunkingWithSizesAndChecksumsIntact() {
        Random random = new Random(42);
        WorkerProtocol<byte[], byte[]> protocol = WorkerProtocol.lengthPrefixed();
        List<byte[]> payloads = new ArrayList<>();
        List<ByteBuffer> frames = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] p = new byte[i % 7 == 0 ? 0 : random.nextInt(3000)];
            random.nextBytes(p);
            payloads.add(p);
            frames.add(protocol.encode(p));
        }
        byte[] stream = concat(frames);
        for (int round = 0; round < 200; round++) {
            WorkerProtocol.Decoder<byte[]> decoder = protocol.newDecoder();
            List<byte[]> out = new ArrayList<>();
            int at = 0;
            while (at < stream.length) {
                int n = Math.min(stream.length - at, 1 + random.nextInt(round % 2 == 0 ? 5 : 5000));
                decoder.decode(ByteBuffer.wrap(stream, at, n), out::add);
                at += n;
            }
            assertThat(out).hasSize(payloads.size());
            for (int i = 0; i < out.size(); i++) {
                assertThat(out.get(i)).hasSize(payloads.get(i).length);
                assertThat(crc(out.get(i))).isEqualTo(crc(payloads.get(i)));
            }
        }
    }

    @Test
    void lengthPrefixedEncodesABigEndianLength() {
        ByteBuffer b = WorkerProtocol.lengthPrefixed().encode(new byte[] {7, 8, 9});
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        assertThat(bytes).containsExactly(0, 0, 0, 3, 7, 8, 9);
    }

    @Test
    void lengthPrefixedRejectsALengthBeyondTheLimit() {
        WorkerProtocol.Decoder<byte[]> decoder = WorkerProtocol.lengthPrefixed(100).newDecoder();
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(new byte[] {0, 0, 0, 101}), r -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reply frame length 101 is beyond maxFrameBytes=100");
    }

    @Test
    void lengthPrefixedRejectsGarbageThatReadsAsANegativeLength() {
        WorkerProtocol.Decoder<byte[]> decoder = WorkerProtocol.lengthPrefixed().newDecoder();
        byte[] garbage = "\u00ff\u00ff\u00ff\u00ff".getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(garbage), r -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reply frame length 4294967295 is beyond maxFrameBytes=67108864");
    }

    @Test
    void jsonLinesEncodesRequestsAsOneEscapedLine() {
        ByteBuffer b = WorkerProtocol.jsonLines().encode(JsonLinesProtocol.Request.of(7, List.of("a\"b", "c\nd\\", "\u0001é")));
        assertThat(StandardCharsets.UTF_8.decode(b).toString())
                .isEqualTo("{\"requestId\":7,\"arguments\":[\"a\\\"b\",\"c\\nd\\\\\",\"\\u0001é\"]}\n");
    }

    @Test
    void jsonLinesDecodesRepliesWithUnknownFieldsEscapesAndOmittedDefaults() {
        String text = "{ \"exitCode\" : 2, \"output\": \"x\\ty\\u00e9\\n\", \"extra\": [1, {\"a\": null}, true],"
                + " \"requestId\": 7 }\n{\"requestId\":8}\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertThat(decodeInChunks(WorkerProtocol.jsonLines(), bytes, cut)).as("cut %d", cut)
                    .containsExactly(JsonLinesProtocol.Response.of(7, 2, "x\tyé\n"), JsonLinesProtocol.Response.of(8, 0, ""));
        }
    }

    @Test
    void jsonLinesRejectsMalformedJson() {
        WorkerProtocol.Decoder<JsonLinesProtocol.Response> decoder = WorkerProtocol.jsonLines().newDecoder();
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap("{\"requestId\":1,}\n".getBytes(
                StandardCharsets.UTF_8)), r -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid JSON reply: expected a member name at offset 15");
    }

    @Test
    void jsonLinesRejectsAFieldOfTheWrongType() {
        WorkerProtocol.Decoder<JsonLinesProtocol.Response> decoder = WorkerProtocol.jsonLines().newDecoder();
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap("{\"requestId\":\"1\"}\n".getBytes(
                StandardCharsets.UTF_8)), r -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reply field \"requestId\" is not a number");
    }

    @Test
    void jsonLinesRejectsAReplyToAnotherRequest() {
        assertThatThrownBy(() -> WorkerProtocol.jsonLines().verify(JsonLinesProtocol.Request.of(3, List.of()),
                JsonLinesProtocol.Response.of(4, 0, "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("reply carries requestId 4 but the request in flight has requestId 3");
    }

    @Test
    void builderRejectsBadValuesNamingTheOption() {
        WorkerPool.Builder<String, String> b = WorkerPool.builder(Command.of("cat"));
        assertThatThrownBy(() -> b.sizeBetween(3, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sizeBetween max must be >= 1 and >= min (3), was 2");
        assertThatThrownBy(() -> b.requestTimeout(java.time.Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestTimeout must be positive, or negative for no limit, was PT0S");
        assertThatThrownBy(() -> b.maxStartAttempts(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxStartAttempts must be >= 1, was 0");
        WorkerPoolOptions<byte[], byte[]> o = b.sizeBetween(2, 8).maxRequestsPerWorker(10)
                .protocol(WorkerProtocol.lengthPrefixed()).buildOptions();
        assertThat(o.minSize()).isEqualTo(2);
        assertThat(o.maxSize()).isEqualTo(8);
        assertThat(o.maxRequestsPerWorker()).isEqualTo(10);
        assertThat(o.toBuilder().buildOptions().toString()).isEqualTo(o.toString());
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

}
