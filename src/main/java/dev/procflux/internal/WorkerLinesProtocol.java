package dev.procflux.internal;

import dev.procflux.WorkerProtocol;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * {@link WorkerProtocol#lines()}: UTF-8 lines ended by {@code \n}.
 */
final class WorkerLinesProtocol implements WorkerProtocol<String, String> {
    /** The default bound on a reply line: 1 MiB. */
    static final int DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

    private final int maxLineBytes;

    /**
     * @param maxLineBytes the longest reply accepted, without its line break
     * @throws IllegalArgumentException if below 1
     */
    WorkerLinesProtocol(int maxLineBytes) {
        this.maxLineBytes = Arguments.atLeast(maxLineBytes, 1, "maxLineBytes");
    }

    @Override
    public ByteBuffer encode(String request) {
        return ByteBuffer.wrap(encodeLine(request));
    }

    static byte[] encodeLine(String request) {
        for (int i = 0; i < request.length(); i++) {
            char c = request.charAt(i);
            // a line break inside a request would be read as two requests and desynchronise the worker; '\r'
            // counts too because Python's text-mode stdin translates it to '\n'
            if (c == '\n' || c == '\r') {
                throw new IllegalArgumentException("a lines() request must not contain a line break (found "
                        + (c == '\n' ? "\\n" : "\\r") + " at index " + i + ")");
            }
        }
        byte[] text = request.getBytes(StandardCharsets.UTF_8);
        byte[] line = Arrays.copyOf(text, text.length + 1);
        line[text.length] = '\n';
        return line;
    }

    @Override
    public WorkerProtocol.Decoder<String> newDecoder() {
        return new LineDecoder(maxLineBytes);
    }

    @Override
    public String toString() {
        return "lines(maxLineBytes=" + maxLineBytes + ")";
    }

    /** Cuts {@code \n}-ended lines, holding a partial line; strict UTF-8 so that binary garbage is reported. */
    static final class LineDecoder implements WorkerProtocol.Decoder<String> {
        private final int maxLineBytes;
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private byte[] line = new byte[128];
        private int length;

        LineDecoder(int maxLineBytes) {
            this.maxLineBytes = maxLineBytes;
        }

        @Override
        public void decode(ByteBuffer bytes, Consumer<? super String> replies) {
            while (bytes.hasRemaining()) {
                int start = bytes.position();
                int limit = bytes.limit();
                int newline = -1;
                for (int i = start; i < limit; i++) {
                    if (bytes.get(i) == '\n') {
                        newline = i;
                        break;
                    }
                }
                int end = newline < 0 ? limit : newline;
                // one byte of slack for a '\r' before the '\n'
                if ((long) length + (end - start) > (long) maxLineBytes + 1) {
                    throw tooLong();
                }
                append(bytes, start, end - start);
                bytes.position(newline < 0 ? limit : newline + 1);
                if (newline >= 0) {
                    int n = length > 0 && line[length - 1] == '\r' ? length - 1 : length;
                    length = 0;
                    if (n > maxLineBytes) {
                        throw tooLong();
                    }
                    replies.accept(text(n));
                }
            }
        }

        private void append(ByteBuffer bytes, int from, int n) {
            if (length + n > line.length) {
                line = Arrays.copyOf(line, Math.max(length + n, Math.min(line.length * 2, maxLineBytes + 1)));
            }
            bytes.get(from, line, length, n);
            length += n;
        }

        private String text(int n) {
            try {
                CharBuffer chars = utf8.reset().decode(ByteBuffer.wrap(line, 0, n));
                return chars.toString();
            }
            catch (CharacterCodingException e) {
                throw new IllegalArgumentException("reply line is not valid UTF-8 (" + n + " bytes): "
                        + e.getMessage(), e);
            }
        }

        private IllegalArgumentException tooLong() {
            return new IllegalArgumentException("reply line longer than maxLineBytes=" + maxLineBytes + " bytes");
        }
    }
}
