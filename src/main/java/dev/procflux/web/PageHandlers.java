package dev.procflux.web;

import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** {@code GET /} and {@code /procflux.js}: the HTML page that runs actions, and its script. Thread-safe: immutable. */
final class PageHandlers {
    private final byte[] page;
    private final byte[] script;

    PageHandlers(byte[] page, byte[] script) {
        this.page = page;
        this.script = script;
    }

    Mono<ServerResponse> page(ServerRequest request) {
        String path = request.requestPath().value();
        byte[] body = page;
        if (!path.endsWith("/")) {
            // served at a prefix without its trailing slash: the page's relative URLs must resolve under the prefix
            String last = path.substring(path.lastIndexOf('/') + 1);
            body = new String(page, StandardCharsets.UTF_8).replace("<head>", "<head>\n<base href=\""
                    + htmlAttribute(last) + "/\">").getBytes(StandardCharsets.UTF_8);
        }
        return ServerResponse.ok()
                .contentType(new MediaType(MediaType.TEXT_HTML, StandardCharsets.UTF_8))
                .header("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                        + "frame-ancestors 'none'; base-uri 'self'; form-action 'none'")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .bodyValue(body);
    }

    private static String htmlAttribute(String s) {
        return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }

    Mono<ServerResponse> script(ServerRequest request) {
        return ServerResponse.ok()
                .contentType(MediaType.parseMediaType("text/javascript;charset=UTF-8"))
                .header(HttpHeaders.CACHE_CONTROL, "no-store")
                .bodyValue(script);
    }
}
