package dev.procflux.internal;

import dev.procflux.WorkerProtocol;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * {@link WorkerProtocol#lengthPrefixed()}: a 4-byte big-endian length, then the bytes.
 */
final class WorkerLengthPrefixedProtocol implements WorkerProtocol<byte[], byte[]> {
    /** The default bound on a reply: 64 MiB. */
    static final int DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

    private static final byte[] EMPTY = new byte[0];

    private final int maxFrameBytes;

    /**
     * @param maxFrameBytes the largest reply accepted, without its length
     * @throws IllegalArgumentException if negative
     */
    WorkerLengthPrefixedProtocol(int maxFrameBytes) {
        this.maxFrameBytes = Arguments.atLeast(maxFrameBytes, 0, "maxFrameBytes");
    }

    @Override
    public ByteBuffer encode(byte[] request) {
        ByteBuffer frame = ByteBuffer.allocate(4 + request.length);
        frame.putInt(request.length).put(request).flip();
        return frame;
    }

    @Override
    public WorkerProtocol.Decoder<byte[]> newDecoder() {
        return new FrameDecoder(maxFrameBytes);
    }

    @Override
    public String toString() {
        return "lengthPrefixed(maxFrameBytes=" + maxFrameBytes + ")";
    }

    /** Reads the length header and then the body, each possibly split across chunks. */
    static final class FrameDecoder implements WorkerProtocol.Decoder<byte[]> {
        private final int maxFrameBytes;
        private final byte[] header = new byte[4];
        private int headerLength;
        // null while reading a header
        private byte @Nullable [] body;
        private int bodyLength;

        FrameDecoder(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
        }

        @Override
        public void decode(ByteBuffer bytes, Consumer<? super byte[]> replies) {
            while (bytes.hasRemaining()) {
                if (body == null) {
                    int n = Math.min(4 - headerLength, bytes.remaining());
                    bytes.get(header, headerLength, n);
                    headerLength += n;
                    if (headerLength < 4) {
                        return;
                    }
                    headerLength = 0;
                    int size = ((header[0] & 0xff) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8)
                            | (header[3] & 0xff);
                    if (size < 0 || size > maxFrameBytes) {
                        throw new IllegalArgumentException("reply frame length " + (size & 0xffffffffL)
                                + " is beyond maxFrameBytes=" + maxFrameBytes);
                    }
                    if (size == 0) {
                        replies.accept(EMPTY);
                        continue;
                    }
                    body = new byte[size];
                    bodyLength = 0;
                }
                byte[] b = body;
                int n = Math.min(b.length - bodyLength, bytes.remaining());
                bytes.get(b, bodyLength, n);
                bodyLength += n;
                if (bodyLength == b.length) {
                    body = null;
                    replies.accept(b);
                }
            }
        }
    }
}
