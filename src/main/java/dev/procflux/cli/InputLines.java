package dev.procflux.cli;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * Job input as GNU parallel reads it: lines end at {@code \n} only, so a {@code \r} (lone or before the
 * {@code \n}) stays part of the line, and the last line needs no {@code \n}. Bytes are decoded as strict UTF-8:
 * a line that is not valid UTF-8 is reported as such ({@link Line#isValid()}), never silently altered.
 *
 * <p>Not thread-safe: read by one thread at a time.
 */
final class InputLines implements Closeable {
    private static final int BUFFER = 64 * 1024;

    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private int position;
    private int limit;
    private boolean eof;

    InputLines(InputStream in) {
        this.in = in;
    }

    /** One input line without its {@code \n}; {@code text} is decoded leniently when the bytes are not UTF-8. */
    record Line(String text, @Nullable String problem) {
        boolean isValid() {
            return problem == null;
        }
    }

    /** @return the next line, or null at the end of the input */
    @Nullable Line next() throws IOException {
        line.reset();
        while (true) {
            if (position == limit) {
                if (eof) {
                    return line.size() == 0 ? null : decode();
                }
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    eof = true;
                    continue;
                }
            }
            for (int i = position; i < limit; i++) {
                if (buffer[i] == '\n') {
                    line.write(buffer, position, i - position);
                    position = i + 1;
                    return decode();
                }
            }
            line.write(buffer, position, limit - position);
            position = limit;
        }
    }

    private Line decode() {
        byte[] bytes = line.toByteArray();
        String text = new String(bytes, StandardCharsets.UTF_8);
        int bad = firstInvalidByte(bytes);
        if (bad < 0) {
            return new Line(text, null);
        }
        return new Line(text, "not valid UTF-8 (byte 0x" + String.format("%02x", bytes[bad] & 0xff)
                + " at offset " + bad + "); arguments reach jobs as UTF-8 text, so it cannot be passed on unchanged");
    }

    /** @return the offset of the first byte that does not start a well-formed UTF-8 sequence (RFC 3629), or -1 */
    static int firstInvalidByte(byte[] b) {
        int i = 0;
        while (i < b.length) {
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
            if (i + length > b.length) {
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

    /** The remaining lines as a lazy stream; an {@link IOException} surfaces as {@link UncheckedIOException}. */
    Stream<Line> lines() {
        return StreamSupport.stream(new Spliterators.AbstractSpliterator<Line>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(Consumer<? super Line> action) {
                Line l;
                try {
                    l = next();
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                if (l == null) {
                    return false;
                }
                action.accept(l);
                return true;
            }
        }, false);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
