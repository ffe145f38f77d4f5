package dev.procflux.internal;

import dev.procflux.ProcessOutputOverflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a byte stream into lines, decoding across chunk boundaries: a multi-byte character split between two
 * reads is decoded once both halves arrived. {@code \n} and {@code \r\n} end a line; a last line without a newline
 * is returned by {@link #finish()}. Not thread-safe: one per subscription, fed in order.
 */
final class LineSplitter {
    private final CharsetDecoder decoder;
    private final int maxLineLength;
    private final String commandLine;
    private final StringBuilder line = new StringBuilder();
    private ByteBuffer leftover = ByteBuffer.allocate(0);
    private CharBuffer chars = CharBuffer.allocate(8192);

    LineSplitter(Charset charset, int maxLineLength, String commandLine) {
        this.decoder = charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        this.maxLineLength = maxLineLength;
        this.commandLine = commandLine;
    }

    List<String> feed(byte[] bytes) {
        ByteBuffer in;
        if (leftover.hasRemaining()) {
            in = ByteBuffer.allocate(leftover.remaining() + bytes.length);
            in.put(leftover).put(bytes).flip();
        }
        else {
            in = ByteBuffer.wrap(bytes);
        }
        List<String> lines = new ArrayList<>();
        decode(in, false, lines);
        leftover = in.hasRemaining() ? copy(in) : ByteBuffer.allocate(0);
        return lines;
    }

    List<String> finish() {
        List<String> lines = new ArrayList<>();
        decode(leftover, true, lines);
        chars.clear();
        decoder.flush(chars);
        chars.flip();
        split(lines);
        if (line.length() > 0) {
            lines.add(line.toString());
            line.setLength(0);
        }
        return lines;
    }

    private void decode(ByteBuffer in, boolean endOfInput, List<String> lines) {
        while (true) {
            chars.clear();
            var result = decoder.decode(in, chars, endOfInput);
            chars.flip();
            split(lines);
            if (!result.isOverflow()) {
                return;
            }
            if (chars.capacity() < 65536) {
                chars = CharBuffer.allocate(chars.capacity() * 2);
            }
        }
    }

    private void split(List<String> lines) {
        while (chars.hasRemaining()) {
            char c = chars.get();
            if (c == '\n') {
                int end = line.length();
                if (end > 0 && line.charAt(end - 1) == '\r') {
                    line.setLength(end - 1);
                }
                lines.add(line.toString());
                line.setLength(0);
            }
            else {
                line.append(c);
                if (line.length() > maxLineLength) {
                    throw new ProcessOutputOverflowException(commandLine, maxLineLength, "'" + commandLine
                            + "' wrote a line longer than maxLineLength=" + maxLineLength + " characters");
                }
            }
        }
    }

    private static ByteBuffer copy(ByteBuffer in) {
        ByteBuffer c = ByteBuffer.allocate(in.remaining());
        c.put(in).flip();
        return c;
    }
}
