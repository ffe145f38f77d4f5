package dev.procflux.web;

import dev.procflux.Command;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.server.ServerRequest;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Turns a request into what it asks for: the action, its checked command (parameters from the query string and a
 * JSON body, or the body as stdin), the stream format, a worker pool's request body. Every refusal is a
 * {@link RequestException} or an {@link InvalidParameterException}. Thread-safe: immutable.
 */
final class RequestParser {
    private static final MediaType NDJSON = MediaType.parseMediaType(StreamFormat.NDJSON.mediaType());

    private final ActionRegistry registry;
    private final int maxParameterBodyBytes;
    private final int maxWorkerBodyBytes;
    private final CrossSiteGuard crossSiteGuard;

    RequestParser(ActionRegistry registry, int maxParameterBodyBytes, int maxWorkerBodyBytes,
            CrossSiteGuard crossSiteGuard) {
        this.registry = registry;
        this.maxParameterBodyBytes = maxParameterBodyBytes;
        this.maxWorkerBodyBytes = maxWorkerBodyBytes;
        this.crossSiteGuard = crossSiteGuard;
    }

    /** @throws RequestException 404 if no action has the request's {@code {name}} */
    Action action(ServerRequest request) {
        String name = request.pathVariable("name");
        return registry.find(name).orElseThrow(() -> RequestException.unknownAction(name));
    }

    /**
     * Refuses a {@code GET} that would run an action for a page of another site (a link or an image cannot be
     * stopped by the state-change check, which spares {@code GET}).
     *
     * @throws RequestException 403, before the body is read
     */
    void checkRunningGet(ServerRequest request) {
        if (request.method() != HttpMethod.GET) {
            return;
        }
        HttpHeaders h = request.headers().asHttpHeaders();
        String refused = crossSiteGuard.refuseRunningGet(h.getFirst(HttpHeaders.HOST), h.getFirst(HttpHeaders.ORIGIN),
                h.getFirst("Sec-Fetch-Site"), h.containsHeader(HttpHeaders.AUTHORIZATION));
        if (refused != null) {
            throw RequestException.beforeBody(403, "cross-site", refused);
        }
    }

    /** The first format the {@code Accept} header names explicitly, else the action's. */
    static StreamFormat format(ServerRequest request, Action action) {
        for (MediaType accepted : request.headers().accept()) {
            if (accepted.isWildcardType() || accepted.isWildcardSubtype()) {
                continue;
            }
            if (accepted.isCompatibleWith(MediaType.TEXT_EVENT_STREAM)) {
                return StreamFormat.EVENT_STREAM;
            }
            if (accepted.isCompatibleWith(NDJSON)) {
                return StreamFormat.NDJSON;
            }
            if (accepted.isCompatibleWith(MediaType.APPLICATION_OCTET_STREAM)) {
                return StreamFormat.RAW;
            }
        }
        return action.streamFormat();
    }

    /** Parameters from the query string (and a JSON body unless the body is stdin), checked; then the command. */
    Mono<Command> command(ServerRequest request, Action action) {
        if (action.stdinFromBody()) {
            OptionalLong length = request.headers().contentLength();
            if (length.isPresent() && length.getAsLong() > action.maxBodyBytes()) {
                return Mono.error(RequestException.bodyTooLargeBeforeBody(action.maxBodyBytes()));
            }
        }
        return parameters(request, action).flatMap(values -> {
            Mono<Command> resolved = Mono.fromCallable(() -> action.command(values));
            // path parameters resolve real paths: file-system calls that must not run on an event loop
            return action.hasPathParameter() ? resolved.subscribeOn(Schedulers.boundedElastic()) : resolved;
        }).map(command -> action.stdinFromBody() ? command.withStdin(stdin(request, action.maxBodyBytes())) : command);
    }

    private Mono<Map<String, String>> parameters(ServerRequest request, Action action) {
        return Mono.defer(() -> {
            Map<String, String> values = QueryString.parse(request.uri().getRawQuery());
            MediaType type = request.headers().contentType().orElse(null);
            if (action.stdinFromBody()) {
                return Mono.just(values);
            }
            boolean json = type != null && type.isCompatibleWith(MediaType.APPLICATION_JSON);
            if (!json) {
                if (!DataBuffers.hasBody(request)) {
                    // read the empty body to its end all the same: the server notices a client that hangs up only
                    // once the request has been read, which a quiet stream would otherwise never do
                    return request.body(BodyExtractors.toDataBuffers()).doOnNext(DataBufferUtils::release)
                            .then(Mono.just(values));
                }
                if (request.headers().asHttpHeaders().getContentLength() > 0) {
                    throw RequestException.beforeBody(415, "unsupported-media-type", unsupported(action, type));
                }
                // chunked, length unknown: an empty body (what some clients send with every POST) is no body
                return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxParameterBodyBytes)
                        .map(buffer -> {
                            int size = buffer.readableByteCount();
                            DataBufferUtils.release(buffer);
                            if (size > 0) {
                                throw new RequestException(415, "unsupported-media-type", unsupported(action, type));
                            }
                            return values;
                        })
                        .onErrorMap(DataBufferLimitException.class, e -> new RequestException(415,
                                "unsupported-media-type", unsupported(action, type)))
                        .defaultIfEmpty(values);
            }
            if (request.headers().asHttpHeaders().getContentLength() > maxParameterBodyBytes) {
                // refused before the body is read: a client waiting for 100 Continue then sends nothing
                throw RequestException.beforeBody(413, "body-too-large", "JSON parameters are larger than the "
                        + "limit of " + maxParameterBodyBytes + " bytes");
            }
            return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxParameterBodyBytes)
                    .map(buffer -> readJsonParameters(DataBuffers.bytesAndRelease(buffer), values))
                    .onErrorMap(DataBufferLimitException.class, e -> new RequestException(413, "body-too-large",
                            "JSON parameters are larger than the limit of " + maxParameterBodyBytes + " bytes"))
                    .defaultIfEmpty(values);
        });
    }

    /** A form or a text/plain body would otherwise be ignored and the action run with its defaults. */
    private static String unsupported(Action action, @Nullable MediaType type) {
        return "action '" + action.name() + "' takes its parameters from the query string or a JSON body "
                + "(Content-Type: application/json), not " + (type == null ? "a body without Content-Type" : type);
    }

    private static Map<String, String> readJsonParameters(byte[] bytes, Map<String, String> query) {
        JsonNode root = readJson(bytes);
        if (root == null || root.isMissingNode()) {
            return query;
        }
        if (!root.isObject()) {
            throw new RequestException(400, "invalid-body", "the JSON body must be an object of parameters");
        }
        Map<String, String> values = new LinkedHashMap<>(query);
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (values.containsKey(name)) {
                throw new InvalidParameterException(name, "repeated", "parameter '" + name
                        + "' is given both in the query and in the body");
            }
            if (v.isString() || v.isIntegralNumber() || v.isBoolean()) {
                values.put(name, QueryString.wellFormed(name, v.asString()));
            }
            else {
                throw new InvalidParameterException(name, "type", "parameter '" + name
                        + "' must be a JSON string, integer or boolean");
            }
        }
        return values;
    }

    private static @Nullable JsonNode readJson(byte[] bytes) {
        try {
            return JsonResponses.MAPPER.readTree(bytes);
        }
        catch (JacksonException e) {
            throw new RequestException(400, "invalid-body", "the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * The request body as stdin: each buffer copied out and released at once, so nothing is retained while the
     * engine's pump asks for one buffer at a time (the backpressure reaches the client's TCP window).
     */
    private static Flux<ByteBuffer> stdin(ServerRequest request, long limit) {
        return Flux.defer(() -> {
            long[] seen = {0}; // one subscription's count; signals are serial
            return request.body(BodyExtractors.toDataBuffers())
                    .map(buffer -> ByteBuffer.wrap(DataBuffers.bytesAndRelease(buffer)))
                    .doOnDiscard(DataBuffer.class, DataBufferUtils::release)
                    .handle((bytes, sink) -> {
                        seen[0] += bytes.remaining();
                        if (seen[0] > limit) {
                            sink.error(RequestException.bodyTooLarge(limit));
                        }
                        else {
                            sink.next(bytes);
                        }
                    });
        });
    }

    /** A worker pool's request body, whole; empty when there is none. */
    Mono<byte[]> workerBody(ServerRequest request) {
        return DataBufferUtils.join(request.body(BodyExtractors.toDataBuffers()), maxWorkerBodyBytes)
                .map(DataBuffers::bytesAndRelease)
                .onErrorMap(DataBufferLimitException.class, e -> RequestException.bodyTooLarge(maxWorkerBodyBytes))
                .defaultIfEmpty(new byte[0]);
    }

    /** @return the string field {@code request} of a JSON object body */
    static String workerJsonRequest(byte[] body) {
        JsonNode root = readJson(body);
        JsonNode request = root == null ? null : root.get("request");
        if (root == null || !root.isObject() || request == null || !request.isString()) {
            throw new RequestException(400, "invalid-body",
                    "a JSON body must be an object with a string field 'request'");
        }
        return request.asString();
    }
}
