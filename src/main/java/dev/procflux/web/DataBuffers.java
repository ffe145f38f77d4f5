package dev.procflux.web;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.ServerRequest;

/** Request bodies as plain bytes. */
final class DataBuffers {
    private DataBuffers() {
    }

    /**
     * Copies the readable bytes of {@code buffer} and releases it, so that no pooled buffer outlives the call.
     *
     * @param buffer the buffer; released on return, also when the copy fails
     * @return its readable bytes
     */
    static byte[] bytesAndRelease(DataBuffer buffer) {
        try {
            byte[] bytes = new byte[buffer.readableByteCount()];
            buffer.read(bytes);
            return bytes;
        }
        finally {
            DataBufferUtils.release(buffer);
        }
    }

    /** @return whether the request's headers announce a body: a positive length, or chunks */
    static boolean hasBody(ServerRequest request) {
        HttpHeaders h = request.headers().asHttpHeaders();
        return h.getContentLength() > 0 || h.containsHeader(HttpHeaders.TRANSFER_ENCODING);
    }
}
