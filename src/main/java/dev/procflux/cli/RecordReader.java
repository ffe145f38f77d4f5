package dev.procflux.cli;

import dev.procflux.internal.SurrogateEscape;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * Splits a byte stream into records at a delimiter ({@code \n} by default, {@code -d} or {@code -0} otherwise),
 * decoding each as UTF-8 with every other byte as {@code U+DC80..U+DCFF} ({@link SurrogateEscape}), so a job
 * receives the record's bytes as they are. The delimiter is removed; a last record without one is kept, and input
 * ending with the delimiter has no empty last record, as in GNU parallel. Reads lazily: only as far as the next
 * record.
 *
 * <p>Not thread-safe: used by the thread that reads input. Errors reading arrive as {@link UncheckedIOException}
 * whose message is the whole diagnostic: {@code cannot read jobs from NAME: REASON}.
 */
final class RecordReader implements Iterator<String>, Closeable {
    private final InputStream in;
    // what messages call the input: "stdin" or the file's name as given
    private final String name;
    private final byte[] delimiter;
    private final byte[] buffer = new byte[64 * 1024];
    // buffer[position, limit) is read but not yet consumed
    private int position;
    private int limit;
    private boolean eof;
    // the record being read; grows to the longest record
    private byte[] record = new byte[256];
    private @Nullable String next;

    /**
     * @param in the bytes to split
     * @param name what messages call {@code in}: {@code stdin}, or the file's name as given
     * @param delimiter the record end
     */
    RecordReader(InputStream in, String name, byte[] delimiter) {
        if (delimiter.length == 0) {
            throw new IllegalArgumentException("the delimiter is empty");
        }
        this.in = in;
        this.name = name;
        this.delimiter = delimiter.clone();
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = read();
        }
        return next != null;
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        String record = next;
        next = null;
        return record;
    }

    private @Nullable String read() {
        int length = 0;
        byte last = delimiter[delimiter.length - 1];
        while (true) {
            if (position == limit && (eof || !fill())) {
                return length == 0 ? null : SurrogateEscape.decode(record, 0, length);
            }
            byte b = buffer[position++];
            if (length == record.length) {
                record = Arrays.copyOf(record, record.length * 2);
            }
            record[length++] = b;
            if (b == last && length >= delimiter.length && endsWithDelimiter(length)) {
                return SurrogateEscape.decode(record, 0, length - delimiter.length);
            }
        }
    }

    private boolean endsWithDelimiter(int length) {
        for (int i = 0; i < delimiter.length; i++) {
            if (record[length - delimiter.length + i] != delimiter[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean fill() {
        try {
            int n = in.read(buffer, 0, buffer.length);
            if (n < 0) {
                eof = true;
                return false;
            }
            position = 0;
            limit = n;
            return true;
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read jobs from " + name + ": " + JobSource.reason(e), e);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /**
     * Parses {@code -d}'s value: characters as they are, with the C escapes {@code \n \t \r \0 \\}, octal
     * {@code \NNN} and hex {@code \xHH}.
     *
     * @throws UsageException for an empty delimiter or a bad escape
     */
    static byte[] delimiter(String option, String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 == text.length()) {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
                continue;
            }
            char e = text.charAt(++i);
            switch (e) {
                case 'n' -> out.write('\n');
                case 't' -> out.write('\t');
                case 'r' -> out.write('\r');
                case '\\' -> out.write('\\');
                case 'x' -> {
                    int end = Math.min(i + 3, text.length());
                    out.write(number(option, text, text.substring(i + 1, end), 16));
                    i = end - 1;
                }
                default -> {
                    if (e < '0' || e > '7') {
                        throw new UsageException(option + ": unknown escape '\\" + e + "' in '" + text + "'");
                    }
                    int end = i;
                    while (end < text.length() && end < i + 3 && text.charAt(end) >= '0' && text.charAt(end) <= '7') {
                        end++;
                    }
                    out.write(number(option, text, text.substring(i, end), 8));
                    i = end - 1;
                }
            }
        }
        if (out.size() == 0) {
            throw new UsageException(option + " needs a non-empty delimiter");
        }
        return out.toByteArray();
    }

    private static int number(String option, String text, String digits, int radix) {
        try {
            int n = Integer.parseInt(digits, radix);
            if (n <= 255) {
                return n;
            }
        }
        catch (NumberFormatException e) {
            throw new UsageException(option + ": bad escape in '" + text + "'", e);
        }
        throw new UsageException(option + ": bad escape in '" + text + "'");
    }
}
