package dev.procflux.cli;

import dev.procflux.internal.SurrogateEscape;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * Job input as GNU parallel reads it: lines end at {@code \n} only, so a {@code \r} (lone or before the
 * {@code \n}) stays part of the line, and the last line needs no {@code \n}. Bytes are decoded as UTF-8, with
 * every byte that is not part of UTF-8 as {@code U+DC80..U+DCFF} ({@link SurrogateEscape}): a job receives the
 * line's bytes as they are.
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

    /** @return the next line without its {@code \n}, or null at the end of the input */
    @Nullable String next() throws IOException {
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

    private String decode() {
        return SurrogateEscape.decode(line.toByteArray());
    }

    /** The remaining lines as a lazy stream; an {@link IOException} surfaces as {@link UncheckedIOException}. */
    Stream<String> lines() {
        return StreamSupport.stream(new Spliterators.AbstractSpliterator<String>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            @Override
            public boolean tryAdvance(Consumer<? super String> action) {
                String l;
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
