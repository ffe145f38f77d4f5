package dev.procflux.web;

import dev.procflux.ExitStatus;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.json.JsonMapper;

/** The one JSON mapper of the routes, and JSON answers built with it. */
final class JsonResponses {
    /** Thread-safe once built. A repeated key in a request body is an error, never "the last one wins". */
    static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private JsonResponses() {
    }

    /** An answer with {@code body} serialized as JSON. */
    static Mono<ServerResponse> json(int status, Object body) {
        return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON)
                .bodyValue(MAPPER.writeValueAsBytes(body));
    }

    /** @return the signal that ended a process, or {@code null} (JSON {@code null}) when it exited by itself */
    static @Nullable Integer signal(ExitStatus status) {
        return status.isSignaled() ? status.signal().getAsInt() : null;
    }
}
