package dev.procflux.internal;

import dev.procflux.JsonLinesProtocol;
import dev.procflux.WorkerProtocol;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@link WorkerProtocol#jsonLines()}: one JSON object per line, Bazel-style.
 */
final class WorkerJsonLinesProtocol implements JsonLinesProtocol {
    private final WorkerLinesProtocol lines;

    /**
     * @param maxLineBytes the longest reply line accepted
     * @throws IllegalArgumentException if below 1
     */
    WorkerJsonLinesProtocol(int maxLineBytes) {
        this.lines = new WorkerLinesProtocol(maxLineBytes);
    }

    @Override
    public ByteBuffer encode(JsonLinesProtocol.Request request) {
        StringBuilder sb = new StringBuilder(64).append("{\"requestId\":").append(request.requestId())
                .append(",\"arguments\":[");
        for (int i = 0; i < request.arguments().size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            WorkerJson.writeString(sb, request.arguments().get(i));
        }
        sb.append("]}");
        // JSON strings escape line breaks, so the line is always one line
        return ByteBuffer.wrap(WorkerLinesProtocol.encodeLine(sb.toString()));
    }

    @Override
    public WorkerProtocol.Decoder<JsonLinesProtocol.Response> newDecoder() {
        WorkerProtocol.Decoder<String> lineDecoder = lines.newDecoder();
        return (bytes, replies) -> lineDecoder.decode(bytes, line -> replies.accept(parse(line)));
    }

    @Override
    public void verify(JsonLinesProtocol.Request request, JsonLinesProtocol.Response reply) {
        if (reply.requestId() != request.requestId()) {
            throw new IllegalArgumentException("reply carries requestId " + reply.requestId()
                    + " but the request in flight has requestId " + request.requestId());
        }
    }

    static JsonLinesProtocol.Response parse(String line) {
        Map<String, @Nullable Object> o = WorkerJson.parseObject(line);
        // proto3 JSON (Bazel's) omits fields that hold their default value: 0 and ""
        return JsonLinesProtocol.Response.of(intField(o, "requestId"), intField(o, "exitCode"), stringField(o, "output"));
    }

    private static int intField(Map<String, @Nullable Object> o, String name) {
        Object v = o.get(name);
        if (v == null) {
            return 0;
        }
        if (!(v instanceof BigDecimal)) {
            throw new IllegalArgumentException("reply field \"" + name + "\" is not a number");
        }
        try {
            return ((BigDecimal) v).intValueExact();
        }
        catch (ArithmeticException e) {
            throw new IllegalArgumentException("reply field \"" + name + "\" is not a 32-bit integer: " + v, e);
        }
    }

    private static String stringField(Map<String, @Nullable Object> o, String name) {
        Object v = o.get(name);
        if (v == null) {
            return "";
        }
        if (!(v instanceof String)) {
            throw new IllegalArgumentException("reply field \"" + name + "\" is not a string");
        }
        return (String) v;
    }

    @Override
    public String toString() {
        return "jsonLines";
    }
}
