package dev.procflux.web;

import java.nio.charset.StandardCharsets;

/**
 * Decodes a byte stream that arrives in chunks as UTF-8 text, without breaking a character that spans two chunks;
 * malformed input becomes U+FFFD. Not thread-safe: one per stream per subscription.
 */
final class Utf8Chunks {
    // the bytes of a character cut at the end of the previous chunk (at most 3)
    private byte[] pending = new byte[0];

    String decode(byte[] chunk) {
        byte[] bytes = pending.length == 0 ? chunk : concat(pending, chunk);
        int complete = completeLength(bytes);
        pending = java.util.Arrays.copyOfRange(bytes, complete, bytes.length);
        return new String(bytes, 0, complete, StandardCharsets.UTF_8);
    }

    /** @return what is left: an incomplete character, as U+FFFD, or the empty string */
    String finish() {
        String rest = new String(pending, StandardCharsets.UTF_8);
        pending = new byte[0];
        return rest;
    }

    /** The length of the prefix that ends on a character boundary. */
    private static int completeLength(byte[] bytes) {
        int n = bytes.length;
        // look back over at most 3 continuation bytes for the lead byte of the last character
        for (int back = 1; back <= Math.min(4, n); back++) {
            int b = bytes[n - back] & 0xFF;
            if ((b & 0xC0) == 0x80) {
                continue;
            }
            int needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > back && b >= 0xC0 && b < 0xF8 ? n - back : n;
        }
        return n;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
