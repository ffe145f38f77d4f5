package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.ProcessEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-site request forgery and DNS rebinding against the routes on a real Reactor Netty socket, each attack sent
 * byte for byte as a browser sends it on behalf of a foreign page; and the same requests from the server's own
 * page or from a non-browser client still work.
 */
@EnabledOnOs(OS.LINUX)
class CrossSiteIT {
    private static final String EVIL = "http://evil.example";

    @TempDir
    Path base;

    private WebFixture web;
    private ProcessEngine engine;
    private ActionServer server;
    private String host;

    @BeforeEach
    void setUp() throws Exception {
        Files.writeString(base.resolve("a.txt"), "a");
        engine = WebFixture.engine(4).build();
        web = WebFixture.served(engine, ActionRoutes.builder(engine, TestActions.registry(base)).build());
        server = web.server();
        host = web.hostHeader();
    }

    @AfterEach
    void tearDown() {
        web.close();
    }

    private RawHttp.Response send(String body, String... head) {
        return RawHttp.send(server.port(), body, head);
    }

    @Test
    void aFormPostFromAForeignPageIsRefusedAndRunsNothing() {
        // <form method=post action="http://127.0.0.1:PORT/actions/echo?message=pwned"> submitted by a foreign page
        RawHttp.Response r = send("x=1", "POST /actions/echo?message=pwned HTTP/1.1", host, "Origin: " + EVIL,
                "Content-Type: application/x-www-form-urlencoded", "Sec-Fetch-Site: cross-site",
                "Sec-Fetch-Mode: navigate", "Sec-Fetch-Dest: document");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("\"error\":\"cross-site\"").contains("http://evil.example");
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void aNoCorsTextPlainFetchFromAForeignPageDoesNotReachStdin() {
        // fetch(url, {mode: 'no-cors', method: 'POST', body: 'rm -rf ~'}) from a foreign page
        RawHttp.Response r = send("payload for stdin", "POST /actions/wc HTTP/1.1", host, "Origin: " + EVIL,
                "Content-Type: text/plain;charset=UTF-8", "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: no-cors",
                "Sec-Fetch-Dest: empty");
        assertThat(r.status()).isEqualTo(403);
        RawHttp.Response stream = send("payload", "POST /actions/cat/stream HTTP/1.1", host, "Origin: " + EVIL,
                "Content-Type: text/plain;charset=UTF-8");
        assertThat(stream.status()).isEqualTo(403);
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void aSameSiteRequestWithoutOriginIsRefusedToo() {
        // a sibling site (another port of localhost counts as same-site) whose browser sent Sec-Fetch-Site only
        RawHttp.Response r = send("", "POST /actions/seq HTTP/1.1", host, "Sec-Fetch-Site: same-site");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.body()).contains("Sec-Fetch-Site is 'same-site'");
        RawHttp.Response nullOrigin = send("", "POST /actions/seq HTTP/1.1", host, "Origin: null");
        assertThat(nullOrigin.status()).isEqualTo(403);
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void anImageTagCannotStartAStream() {
        // <img src="http://127.0.0.1:PORT/actions/seq/stream?count=3"> on a foreign page
        RawHttp.Response img = send("", "GET /actions/seq/stream?count=3 HTTP/1.1", host, "Accept: image/*",
                "Sec-Fetch-Site: cross-site", "Sec-Fetch-Mode: no-cors", "Sec-Fetch-Dest: image");
        assertThat(img.status()).isEqualTo(403);
        // an older browser sends no Sec-Fetch-* headers and no Origin on an image: still no run
        RawHttp.Response old = send("", "GET /actions/seq/stream?count=3 HTTP/1.1", host, "Accept: image/*");
        assertThat(old.status()).isEqualTo(403);
        assertThat(old.body()).contains("use POST");
        assertThat(engine.metrics().started()).isZero();
    }

    @Test
    void theServersOwnPageAndNonBrowserClientsStillRun() {
        String origin = "Origin: http://127.0.0.1:" + server.port();
        RawHttp.Response page = send("", "POST /actions/seq/stream?count=2 HTTP/1.1", host, origin,
                "Sec-Fetch-Site: same-origin", "Accept: text/event-stream", "Content-Type: text/plain;charset=UTF-8");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("event: exit");
        RawHttp.Response eventSource = send("", "GET /actions/seq/stream?count=2 HTTP/1.1", host,
                "Sec-Fetch-Site: same-origin", "Accept: text/event-stream");
        assertThat(eventSource.status()).isEqualTo(200);
        RawHttp.Response curl = send("", "POST /actions/seq?count=2 HTTP/1.1", host, "User-Agent: curl/8.5.0");
        assertThat(curl.status()).isEqualTo(200);
        assertThat(curl.body()).contains("\"stdout\":\"1\\n2\\n\"");
        RawHttp.Response stdin = send("abc", "POST /actions/wc HTTP/1.1", host, origin, "Sec-Fetch-Site: same-origin",
                "Content-Type: text/plain;charset=UTF-8");
        assertThat(stdin.body()).contains("\"stdout\":\"3\\n\"");
        RawHttp.Response localhost = send("", "POST /actions/seq?count=1 HTTP/1.1",
                "Host: localhost:" + server.port(), "Origin: http://localhost:" + server.port());
        assertThat(localhost.status()).isEqualTo(200);
    }

    @Test
    void aBodyTheActionDoesNotTakeIsRefusedWith415InsteadOfIgnored() {
        RawHttp.Response form = send("count=7", "POST /actions/seq HTTP/1.1", host,
                "Content-Type: application/x-www-form-urlencoded");
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.body()).contains("\"error\":\"unsupported-media-type\"").contains("'seq'");
        RawHttp.Response text = send("count=7", "POST /actions/seq HTTP/1.1", host, "Content-Type: text/plain");
        assertThat(text.status()).isEqualTo(415);
        RawHttp.Response json = send("{\"count\":2}", "POST /actions/seq HTTP/1.1", host,
                "Content-Type: application/json");
        assertThat(json.status()).isEqualTo(200);
        assertThat(json.body()).contains("\"stdout\":\"1\\n2\\n\"");
    }

    @Test
    void aRebindingPageCannotReadTheActionsTheMetricsOrAnOutput() {
        // evil.example re-pointed to 127.0.0.1: to the browser the requests are same-origin
        String rebound = "Host: rebind.evil.example:" + server.port();
        String origin = "Origin: http://rebind.evil.example:" + server.port();
        for (String path : new String[] {"/actions", "/metrics", "/health", "/"}) {
            RawHttp.Response r = send("", "GET " + path + " HTTP/1.1", rebound, "Sec-Fetch-Site: same-origin");
            assertThat(r.status()).as(path).isEqualTo(421);
            assertThat(r.body()).as(path).contains("\"error\":\"unknown-host\"").contains("rebind.evil.example");
        }
        RawHttp.Response run = send("", "POST /actions/seq?count=2 HTTP/1.1", rebound, origin,
                "Sec-Fetch-Site: same-origin");
        assertThat(run.status()).isEqualTo(421);
        assertThat(engine.metrics().started()).isZero();

        assertThat(send("", "GET /actions HTTP/1.1", "Host: localhost:" + server.port()).status()).isEqualTo(200);
        assertThat(send("", "GET /actions HTTP/1.1", "Host: [::1]:" + server.port()).status()).isEqualTo(200);
        assertThat(send("", "GET /metrics HTTP/1.1", host).status()).isEqualTo(200);
    }
}
