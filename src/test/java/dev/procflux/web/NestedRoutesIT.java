package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.ProcessEngine;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.web.reactive.function.server.RequestPredicates;
import org.springframework.web.reactive.function.server.RouterFunctions;

/** The routes nested under a prefix, with a bearer token, on a real socket: what stays open, what needs the token. */
@EnabledOnOs(OS.LINUX)
class NestedRoutesIT {
    private static final String TOKEN = "0123456789abcdef-nested";

    @TempDir
    Path base;

    private WebFixture web;
    private ProcessEngine engine;
    private ActionServer server;
    private String host;

    @BeforeEach
    void setUp() {
        engine = WebFixture.engine(2).build();
        web = WebFixture.served(engine, RouterFunctions.nest(RequestPredicates.path("/procflux"),
                ActionRoutes.builder(engine, TestActions.registry(base)).bearerToken(TOKEN).build()));
        server = web.server();
        host = web.hostHeader();
    }

    @AfterEach
    void tearDown() {
        web.close();
    }

    private RawHttp.Response get(String path, String... more) {
        String[] head = new String[2 + more.length];
        head[0] = "GET " + path + " HTTP/1.1";
        head[1] = host;
        System.arraycopy(more, 0, head, 2, more.length);
        return RawHttp.send(server.port(), "", head);
    }

    @Test
    void healthThePageAndItsScriptStayOpenUnderThePrefix() {
        RawHttp.Response health = get("/procflux/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\":\"UP\"");
        RawHttp.Response page = get("/procflux/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"procflux.js\">").doesNotContain("<base");
        assertThat(get("/procflux/procflux.js").status()).isEqualTo(200);
    }

    @Test
    void thePageIsServedAtThePrefixWithoutItsTrailingSlashAndItsLinksResolveUnderThePrefix() {
        RawHttp.Response page = get("/procflux");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("content-type")).startsWith("text/html");
        // relative to /procflux, "procflux/" is /procflux/: the script and the API calls stay under the prefix
        assertThat(page.body()).contains("<base href=\"procflux/\">");
    }

    @Test
    void everythingElseUnderThePrefixNeedsTheTokenWhoseSchemeIsCaseInsensitive() {
        RawHttp.Response anonymous = get("/procflux/actions");
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("www-authenticate")).isEqualTo("Bearer");
        assertThat(get("/procflux/metrics").status()).isEqualTo(401);
        assertThat(get("/procflux/actions", "Authorization: Bearer wrong-token-0123456789").status()).isEqualTo(401);
        assertThat(get("/procflux/actions", "Authorization: Bearer " + TOKEN).status()).isEqualTo(200);
        assertThat(get("/procflux/actions", "Authorization: bearer " + TOKEN).status()).isEqualTo(200);
        assertThat(get("/procflux/actions", "Authorization: BEARER  " + TOKEN).status()).isEqualTo(200);
        RawHttp.Response run = RawHttp.send(server.port(), "", "POST /procflux/actions/seq?count=2 HTTP/1.1", host,
                "Authorization: Bearer " + TOKEN);
        assertThat(run.body()).contains("\"stdout\":\"1\\n2\\n\"");
        assertThat(RawHttp.send(server.port(), "", "POST /procflux/actions/seq HTTP/1.1", host).status())
                .isEqualTo(401);
        assertThat(engine.metrics().started()).isEqualTo(1);
    }

    @Test
    void pathsOutsideThePrefixAreNotServed() {
        assertThat(get("/health").status()).isEqualTo(404);
        assertThat(get("/procfluxx/health").status()).isEqualTo(404);
    }
}
