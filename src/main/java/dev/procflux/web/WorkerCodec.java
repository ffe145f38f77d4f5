package dev.procflux.web;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * How {@code POST /workers/{pool}} turns an HTTP request into a {@link dev.procflux.WorkerPool} request and the
 * worker's reply into an HTTP response. Immutable and thread-safe.
 *
 * <ul>
 * <li>{@link #text()} and {@link #text(Function, Function)}: the request is the body as strict UTF-8 text, or,
 * with {@code Content-Type: application/json}, the string field {@code request} of a JSON object
 * ({@code {"request":"hello"}}); the reply is JSON {@code {"reply":"..."}}.</li>
 * <li>{@link #bytes()}: the request is the body's bytes, exactly; the reply is the worker's bytes as
 * {@code application/octet-stream}.</li>
 * </ul>
 *
 * <p>A body that cannot be decoded (invalid UTF-8, a JSON body without a string {@code request}), and a request the
 * pool's protocol cannot encode (a line break for {@link dev.procflux.WorkerProtocol#lines()}), are answered with
 * 400 {@code invalid-body}.
 *
 * @param <I> the pool's request type
 * @param <O> the pool's reply type
 */
public final class WorkerCodec<I, O> {
    private final boolean binary;
    /** Binary codecs: the body to a request. */
    private final Function<byte[], I> fromBytes;
    /** Binary codecs: a reply to the response body. */
    private final Function<? super O, byte[]> toBytes;
    /** Text codecs: the text of the body (or of its JSON {@code request}) to a request. */
    private final Function<String, I> fromText;
    /** Text codecs: a reply to the text of {@code "reply"}. */
    private final Function<? super O, String> toText;

    private WorkerCodec(boolean binary, Function<byte[], I> fromBytes, Function<? super O, byte[]> toBytes,
            Function<String, I> fromText, Function<? super O, String> toText) {
        this.binary = binary;
        this.fromBytes = fromBytes;
        this.toBytes = toBytes;
        this.fromText = fromText;
        this.toText = toText;
    }

    /**
     * Text in, JSON {@code {"reply":"..."}} out: for pools of {@link dev.procflux.WorkerProtocol#lines()}.
     *
     * @return the codec
     */
    public static WorkerCodec<String, String> text() {
        return text(Function.identity(), Function.identity());
    }

    /**
     * Text in, JSON {@code {"reply":"..."}} out, for pools of any request and reply type.
     *
     * @param request turns the request text into a request; an {@link IllegalArgumentException} it throws is
     *        answered with 400
     * @param reply turns a reply into the text of {@code "reply"}
     * @param <I> the pool's request type
     * @param <O> the pool's reply type
     * @return the codec
     * @throws NullPointerException if an argument is null
     */
    public static <I, O> WorkerCodec<I, O> text(Function<String, I> request, Function<? super O, String> reply) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(reply, "reply");
        return new WorkerCodec<>(false, bytes -> request.apply(utf8(bytes)),
                o -> reply.apply(o).getBytes(StandardCharsets.UTF_8), request, reply);
    }

    /**
     * Bytes in, bytes out ({@code application/octet-stream}): for pools of
     * {@link dev.procflux.WorkerProtocol#lengthPrefixed()}.
     *
     * @return the codec
     */
    public static WorkerCodec<byte[], byte[]> bytes() {
        return new WorkerCodec<>(true, Function.identity(), Function.identity(),
                s -> s.getBytes(StandardCharsets.UTF_8), o -> new String(o, StandardCharsets.UTF_8));
    }

    /** @return whether the reply is returned as raw bytes rather than as JSON {@code {"reply": ...}} */
    public boolean isBinary() {
        return binary;
    }

    I requestFromBytes(byte[] body) {
        return fromBytes.apply(body);
    }

    I requestFromText(String text) {
        return fromText.apply(text);
    }

    byte[] replyBytes(O reply) {
        return toBytes.apply(reply);
    }

    String replyText(O reply) {
        return toText.apply(reply);
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        }
        catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the body is not valid UTF-8 text", e);
        }
    }

    @Override
    public String toString() {
        return binary ? "WorkerCodec[bytes]" : "WorkerCodec[text]";
    }
}
