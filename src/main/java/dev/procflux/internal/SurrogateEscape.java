package dev.procflux.internal;

import java.nio.charset.StandardCharsets;

/**
 * Carries arbitrary bytes in a Java {@link String}, as Python's {@code surrogateescape} error handler does (PEP 383):
 * well-formed UTF-8 (RFC 3629) decodes as usual, and every other byte {@code 0x80..0xFF} becomes the lone low
 * surrogate {@code U+DC80..U+DCFF}. Encoding reverses it, so {@code encode(decode(b))} equals {@code b} for every
 * byte array.
 *
 * <p>Well-formed UTF-8 never decodes to a lone surrogate (the encodings of surrogates, {@code ED A0..BF xx}, are
 * themselves ill-formed and escaped byte by byte), so a lone {@code U+DC80..U+DCFF} in a string always stands for
 * one raw byte. An ill-formed sequence is escaped byte by byte from its first byte: overlong forms, truncated
 * sequences, lone continuation bytes, {@code F5..FF}, and code points above {@code U+10FFFF}.
 *
 * <p>Public only so that the command line and the API share it; not API.
 */
public final class SurrogateEscape {
    private static final char FIRST = '\uDC80';
    private static final char LAST = '\uDCFF';

    private SurrogateEscape() {
    }

    /**
     * @param bytes the bytes
     * @return the string: UTF-8 text as such, other bytes as {@code U+DC80..U+DCFF}
     */
    public static String decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /**
     * @param bytes the bytes
     * @param offset where to start
     * @param length how many bytes to decode
     * @return the string: UTF-8 text as such, other bytes as {@code U+DC80..U+DCFF}
     */
    public static String decode(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int bad = firstInvalidByte(bytes, offset, end);
        if (bad < 0) {
            return new String(bytes, offset, length, StandardCharsets.UTF_8);
        }
        StringBuilder text = new StringBuilder(length);
        int start = offset;
        while (bad >= 0) {
            text.append(new String(bytes, start, bad - start, StandardCharsets.UTF_8));
            text.append((char) (FIRST - 0x80 + (bytes[bad] & 0xff)));
            start = bad + 1;
            bad = firstInvalidByte(bytes, start, end);
        }
        return text.append(new String(bytes, start, end - start, StandardCharsets.UTF_8)).toString();
    }

    /**
     * @param text a string, possibly with raw bytes as {@code U+DC80..U+DCFF}
     * @return its bytes: UTF-8, with each lone {@code U+DC80..U+DCFF} as the byte it stands for (any other lone
     *     surrogate, which no byte sequence decodes to, as {@code ?}, as {@link String#getBytes} writes it)
     */
    public static byte[] encode(String text) {
        if (!hasEscapes(text)) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(text.length() + 16);
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (isEscape(text, i)) {
                byte[] utf8 = text.substring(start, i).getBytes(StandardCharsets.UTF_8);
                out.write(utf8, 0, utf8.length);
                out.write(text.charAt(i) - FIRST + 0x80);
                start = i + 1;
            }
        }
        byte[] utf8 = text.substring(start).getBytes(StandardCharsets.UTF_8);
        out.write(utf8, 0, utf8.length);
        return out.toByteArray();
    }

    /** @return the length of {@link #encode(String)}, without building it */
    public static long encodedLength(String text) {
        long n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                n++;
            }
            else if (c < 0x800) {
                n += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                n += 4;
                i++;
            }
            else if (Character.isSurrogate(c)) {
                n++; // a raw byte, or the '?' that stands for another lone surrogate
            }
            else {
                n += 3;
            }
        }
        return n;
    }

    /** @return whether {@code text} holds a raw byte: a lone {@code U+DC80..U+DCFF} */
    public static boolean hasEscapes(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= FIRST && c <= LAST && isEscape(text, i)) {
                return true;
            }
        }
        return false;
    }

    /** @return whether the char at {@code i} stands for a raw byte: a lone {@code U+DC80..U+DCFF} */
    public static boolean isEscape(String text, int i) {
        char c = text.charAt(i);
        return c >= FIRST && c <= LAST && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)));
    }

    /**
     * @return the index of the first byte in {@code b[from, to)} that does not start a well-formed UTF-8 sequence
     *     (RFC 3629), or -1
     */
    static int firstInvalidByte(byte[] b, int from, int to) {
        int i = from;
        while (i < to) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                i++;
                continue;
            }
            int length;
            if (c >= 0xc2 && c <= 0xdf) {
                length = 2;
            }
            else if (c >= 0xe0 && c <= 0xef) {
                length = 3;
            }
            else if (c >= 0xf0 && c <= 0xf4) {
                length = 4;
            }
            else {
                return i;
            }
            if (i + length > to) {
                return i;
            }
            // the second byte's range excludes overlong forms, surrogates and code points above U+10FFFF
            int low = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
            int high = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
            int second = b[i + 1] & 0xff;
            if (second < low || second > high) {
                return i;
            }
            for (int k = 2; k < length; k++) {
                if ((b[i + k] & 0xc0) != 0x80) {
                    return i;
                }
            }
            i += length;
        }
        return -1;
    }
}
