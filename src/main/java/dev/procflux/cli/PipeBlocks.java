package dev.procflux.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.jspecify.annotations.Nullable;

/**
 * {@code --pipe}: splits a byte stream into blocks of about {@code --block} bytes that end at a record end
 * ({@code --recend}, {@code \n} by default), as GNU parallel does: read a full block, cut it after the last record
 * end in it and carry the rest over to the next block. A record longer than a block makes the block size grow for the
 * rest of the input, as in GNU parallel; an empty {@code --recend} cuts at exactly the block size.
 *
 * <p>Memory: the block being read (the block size, more only for a longer record) and the block returned; a
 * caller that requests one block per free job slot holds at most (slots + 1) blocks.
 *
 * <p>Not thread-safe: used by the thread that reads stdin. Read errors arrive as {@link UncheckedIOException} whose
 * message is the whole diagnostic: {@code cannot read stdin: REASON}.
 */
final class PipeBlocks implements Iterator<byte[]> {
    private final InputStream in;
    // the block size; grows when a record is longer (written only by the reading thread)
    private int block;
    private final byte[] recend;
    // the bytes read past the last block's end, carried into the next
    private byte[] carry = new byte[0];
    private boolean eof;
    private byte @Nullable [] next;

    PipeBlocks(InputStream in, int blockBytes, byte[] recend) {
        this.in = in;
        this.block = blockBytes;
        this.recend = recend.clone();
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            next = read();
        }
        return next != null;
    }

    @Override
    public byte[] next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        byte[] block = next;
        next = null;
        return block;
    }

    private byte @Nullable [] read() {
        byte[] buffer = Arrays.copyOf(carry, Math.max(block, carry.length));
        int length = carry.length;
        int searchFrom = 0;
        while (true) {
            length = fill(buffer, length);
            if (eof && length <= block) {
                carry = new byte[0];
                return length == 0 ? null : Arrays.copyOf(buffer, length);
            }
            int cut = recend.length == 0 ? Math.min(length, block) : lastRecordEnd(buffer, searchFrom, length);
            if (cut > 0) {
                carry = Arrays.copyOfRange(buffer, cut, length);
                return Arrays.copyOf(buffer, cut);
            }
            if (eof) {
                carry = new byte[0];
                return Arrays.copyOf(buffer, length);
            }
            // no record end in a full block: the record is longer than a block; like GNU parallel, grow the block
            // for good (by 30% and a byte) and read on
            searchFrom = Math.max(0, length - recend.length + 1);
            block = (int) Math.min(Integer.MAX_VALUE - 16, (long) Math.ceil(block * 1.3 + 1));
            buffer = Arrays.copyOf(buffer, Math.max(block, buffer.length));
        }
    }

    /** Reads until the buffer is full or the input ends. */
    private int fill(byte[] buffer, int length) {
        try {
            while (length < buffer.length) {
                int n = in.read(buffer, length, buffer.length - length);
                if (n < 0) {
                    eof = true;
                    break;
                }
                length += n;
            }
            return length;
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read stdin: " + JobSource.reason(e), e);
        }
    }

    /** @return the index just after the last record end in {@code buffer[from, length)}, or 0 if none */
    private int lastRecordEnd(byte[] buffer, int from, int length) {
        outer:
        for (int end = length; end - recend.length >= from; end--) {
            for (int i = 0; i < recend.length; i++) {
                if (buffer[end - recend.length + i] != recend[i]) {
                    continue outer;
                }
            }
            return end;
        }
        return 0;
    }
}
