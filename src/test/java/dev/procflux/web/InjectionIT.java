package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.ProcessEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;

/**
 * Hostile parameters are refused with 400, or reach the program as one inert argv element: nothing they contain
 * is ever run. A marker file that any shell interpretation would create must never appear.
 */
@EnabledOnOs(OS.LINUX)
class InjectionIT {
    @TempDir
    Path base;
    @TempDir
    Path outside;

    private Path marker;
    private WebFixture web;
    private ProcessEngine engine;
    private WebTestClient client;

    @BeforeEach
    void setUp() throws Exception {
        marker = outside.resolve("pwned");
        Files.createDirectory(base.resolve("sub"));
        Files.writeString(outside.resolve("secret.txt"), "secret");
        engine = WebFixture.engine(4).build();
        web = WebFixture.unserved(engine);
        client = WebFixture.client(ActionRoutes.builder(engine, TestActions.registry(base)).build());
    }

    @AfterEach
    void tearDown() {
        web.close();
        assertThat(marker).doesNotExist();
    }

    static Stream<String> shellSyntax() {
        return Stream.of("; rm -rf /", "$(id)", "`id`", "a b; c", "x && touch MARKER", "$(touch MARKER)",
                "`touch MARKER`", "| touch MARKER", "> MARKER", "'; touch MARKER; '", "\"; touch MARKER\"",
                "${IFS}touch${IFS}MARKER", "*", "~", "\ntouch MARKER", "%s %s %n");
    }

    private String hostile(String template) {
        return template.replace("MARKER", marker.toString());
    }

    private JsonNode exchange(String action, String parameter, String value, int status) {
        java.net.URI uri = UriComponentsBuilder.fromPath("/actions/" + action).queryParam(parameter, "{v}")
                .encode().buildAndExpand(Map.of("v", value)).toUri();
        byte[] body = client.post().uri(uri).exchange().expectStatus().isEqualTo(status)
                .expectBody(byte[].class).returnResult().getResponseBody();
        return Json.parse(body);
    }

    @ParameterizedTest
    @MethodSource("shellSyntax")
    void shellSyntaxReachesTheProgramAsOneInertArgument(String template) {
        String value = hostile(template);
        JsonNode r = exchange("printf", "text", value, 200);
        // printf %s prints its one argument exactly; a split value would lose its spaces, a shell would run it
        assertThat(r.get("stdout").asString()).isEqualTo(value);
        assertThat(r.get("exitCode").asInt()).isZero();
        assertThat(marker).doesNotExist();
    }

    @ParameterizedTest
    @MethodSource("shellSyntax")
    void shellSyntaxIsRefusedByAStrictPattern(String template) {
        JsonNode r = exchange("echo", "message", hostile(template), 400);
        assertThat(r.get("parameter").asString()).isEqualTo("message");
        assertThat(r.get("rule").asString()).isEqualTo("pattern");
        assertThat(r.get("message").asString()).isEqualTo("parameter 'message' must match [\\w ,.!?-]{0,200}");
        assertThat(engine.metrics().started()).isZero();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("ls", "dir", "../../etc/passwd", "path-escape"),
                Arguments.of("ls", "dir", "/etc/passwd", "path-escape"),
                Arguments.of("ls", "dir", "sub/../../x", "path-escape"),
                Arguments.of("printf", "text", "--output=/tmp/x", "leading-dash"),
                Arguments.of("printf", "text", "-rf", "leading-dash"),
                Arguments.of("printf", "text", "a\0b", "nul"),
                Arguments.of("echo", "message", "x".repeat(1024 * 1024), "max-length"),
                Arguments.of("printf", "text", "x".repeat(1024 * 1024), "max-length"),
                Arguments.of("seq", "count", "1; id", "integer"),
                Arguments.of("seq", "count", "99999999999999999999", "integer"),
                Arguments.of("mode", "mode", "fast ", "enum"));
    }

    @ParameterizedTest
    @MethodSource("refused")
    void hostileValuesAreRefusedWith400NamingTheRule(String action, String parameter, String value, String rule) {
        JsonNode r = exchange(action, parameter, value, 400);
        assertThat(r.get("error").asString()).isEqualTo("invalid-parameter");
        assertThat(r.get("parameter").asString()).isEqualTo(parameter);
        assertThat(r.get("rule").asString()).isEqualTo(rule);
        assertThat(r.get("message").asString()).startsWith("parameter '" + parameter + "' ").hasSizeLessThan(300);
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void aSymbolicLinkOutOfTheBaseIsRefused() throws Exception {
        Files.createSymbolicLink(base.resolve("link"), outside);
        Files.createSymbolicLink(base.resolve("dangling"), outside.resolve("nothing"));
        JsonNode viaLink = exchange("ls", "dir", "link", 400);
        assertThat(viaLink.get("rule").asString()).isEqualTo("symlink-escape");
        JsonNode viaFileInLink = exchange("ls", "dir", "link/secret.txt", 400);
        assertThat(viaFileInLink.get("rule").asString()).isEqualTo("symlink-escape");
        JsonNode dangling = exchange("ls", "dir", "dangling", 400);
        assertThat(dangling.get("rule").asString()).isEqualTo("symlink-escape");
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void nonUtf8BytesInTheQueryAreRefusedNotReplaced() {
        // %FF%FE is not UTF-8: refused before any pattern, rather than passed on as U+FFFD
        for (String uri : new String[] {"/actions/echo?message=%FF%FE", "/actions/printf?text=a%FF%FEb"}) {
            byte[] r = client.post().uri(java.net.URI.create(uri)).exchange()
                    .expectStatus().isBadRequest().expectBody(byte[].class).returnResult().getResponseBody();
            assertThat(Json.parse(r).get("rule").asString()).isEqualTo("encoding");
        }
    }

    @Test
    void nonUtf8BytesInAJsonBodyAreRefused() {
        byte[] body = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xFF, (byte) 0xFE, '"', '}'};
        byte[] r = client.post().uri("/actions/printf").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isBadRequest().expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.parse(r).get("error").asString()).isEqualTo("invalid-body");
        assertThat(Json.parse(r).get("message").asString()).startsWith("the body is not valid JSON: ");
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void aOneMebibyteJsonBodyIsRefusedWith413() {
        String body = "{\"text\":\"" + "x".repeat(1024 * 1024) + "\"}";
        byte[] r = client.post().uri("/actions/printf").contentType(MediaType.APPLICATION_JSON).bodyValue(body)
                .exchange().expectStatus().isEqualTo(413).expectBody(byte[].class).returnResult().getResponseBody();
        assertThat(Json.parse(r).get("message").asString())
                .isEqualTo("JSON parameters are larger than the limit of 65536 bytes");
        assertThat(engine.metrics().started()).isZero();
    }
}
