package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SurrogateEscapeTest {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void wellFormedUtf8DecodesAsUtf8IncludingFourByteSequences() {
        String text = "plain ascii, grüße, 日本語, 😀 and U+10FFFF \uDBFF\uDFFF and U+10080 \uD800\uDC80";
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        assertThat(SurrogateEscape.decode(utf8)).isEqualTo(text);
        assertThat(SurrogateEscape.hasEscapes(text)).as("a surrogate pair is no raw byte").isFalse();
        assertThat(SurrogateEscape.encode(text)).isEqualTo(utf8);
        assertThat(SurrogateEscape.encodedLength(text)).isEqualTo(utf8.length);
    }

    @Test
    void aLatin1ByteBecomesOneLoneSurrogateAndBack() {
        byte[] cafe = bytes('c', 'a', 'f', 0xe9, '.', 't', 'x', 't');
        String s = SurrogateEscape.decode(cafe);
        assertThat(s).isEqualTo("caf\uDCE9.txt");
        assertThat(SurrogateEscape.hasEscapes(s)).isTrue();
        assertThat(SurrogateEscape.encode(s)).isEqualTo(cafe);
        assertThat(SurrogateEscape.encodedLength(s)).isEqualTo(8);
    }

    @Test
    void illFormedSequencesAreEscapedByteByByte() {
        // overlong '/' (C0 AF), overlong 3-byte (E0 80 AF), overlong 4-byte (F0 80 80 AF)
        assertThat(SurrogateEscape.decode(bytes(0xc0, 0xaf))).isEqualTo("\uDCC0\uDCAF");
        assertThat(SurrogateEscape.decode(bytes(0xe0, 0x80, 0xaf))).isEqualTo("\uDCE0\uDC80\uDCAF");
        assertThat(SurrogateEscape.decode(bytes(0xf0, 0x80, 0x80, 0xaf))).isEqualTo("\uDCF0\uDC80\uDC80\uDCAF");
        // a truncated 3-byte sequence before ASCII, and at the end
        assertThat(SurrogateEscape.decode(bytes(0xe2, 0x82, 'A'))).isEqualTo("\uDCE2\uDC82A");
        assertThat(SurrogateEscape.decode(bytes('A', 0xf0, 0x9f, 0x98))).isEqualTo("A\uDCF0\uDC9F\uDC98");
        // lone continuation bytes, and bytes that never occur in UTF-8
        assertThat(SurrogateEscape.decode(bytes(0x80, 'x', 0xbf))).isEqualTo("\uDC80x\uDCBF");
        assertThat(SurrogateEscape.decode(bytes(0xf5, 0xfe, 0xff))).isEqualTo("\uDCF5\uDCFE\uDCFF");
        // an encoded surrogate (ED A0 80) and a code point above U+10FFFF (F4 90 80 80)
        assertThat(SurrogateEscape.decode(bytes(0xed, 0xa0, 0x80))).isEqualTo("\uDCED\uDCA0\uDC80");
        assertThat(SurrogateEscape.decode(bytes(0xf4, 0x90, 0x80, 0x80))).isEqualTo("\uDCF4\uDC90\uDC80\uDC80");
        // valid text around a bad byte keeps its characters
        assertThat(SurrogateEscape.decode(bytes(0xc3, 0xa9, 0xff, 0xc3, 0xa9))).isEqualTo("é\uDCFFé");
    }

    @Test
    void decodingARangeLeavesTheRestAlone() {
        byte[] b = bytes('x', 0xff, 'y', 0xfe);
        assertThat(SurrogateEscape.decode(b, 1, 2)).isEqualTo("\uDCFFy");
    }

    @Test
    void randomBytesRoundTripExactly() {
        Random random = new Random(383);
        for (int n = 0; n < 20_000; n++) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            if (n % 2 == 0) {
                // half of them biased to near-UTF-8: lead bytes followed by continuation bytes
                for (int i = 0; i < b.length; i++) {
                    if (random.nextInt(3) == 0) {
                        b[i] = (byte) (0x80 | random.nextInt(0x40));
                    }
                }
            }
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    b[i] = 1;
                }
            }
            String s = SurrogateEscape.decode(b);
            assertThat(SurrogateEscape.encode(s)).as("round trip #%d", n).isEqualTo(b);
            assertThat(SurrogateEscape.encodedLength(s)).isEqualTo(b.length);
            assertThat(SurrogateEscape.hasEscapes(s))
                    .isEqualTo(SurrogateEscape.firstInvalidByte(b, 0, b.length) >= 0);
        }
    }

    @Test
    void aLoneSurrogateOutsideTheByteRangeEncodesAsAQuestionMarkAsStringGetBytesDoes() {
        assertThat(SurrogateEscape.encode("a\uD800b\uDC00\uDCFF")).isEqualTo(bytes('a', '?', 'b', '?', 0xff));
        assertThat(SurrogateEscape.encodedLength("a\uD800b\uDC00\uDCFF")).isEqualTo(5);
    }
}
