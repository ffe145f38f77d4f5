package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;

/**
 * Many streaming clients against a small engine: the engine's bounds hold as the operating system sees them, the
 * overflow is refused with 503, and every accepted client gets its whole output.
 */
@EnabledOnOs(OS.LINUX)
class LoadIT {
    private static final int CLIENTS = 200;
    private static final int MAX_CONCURRENCY = 16;
    private static final int MAX_PENDING = 24;

    /** One client's answer. */
    private static final class Answer {
        final int status;
        final String body;
        final String retryAfter;

        Answer(int status, String body, String retryAfter) {
            this.status = status;
            this.body = body;
            this.retryAfter = retryAfter;
        }
    }

    @Test
    void twoHundredStreamingClientsNeverRunMoreThanSixteenProcessesAndAcceptedOnesGetAllTheirOutput() {
        ActionRegistry registry = ActionRegistry.builder()
                .add(Action.builder("burst", "sh", "-c", "for i in 1 2 3 4 5; do echo line$i; sleep 0.05; done")
                        .timeout(Duration.ofMinutes(1)).build())
                .build();
        ProcessEngine engine = ProcessEngine.builder().maxConcurrency(MAX_CONCURRENCY).maxPendingAcquire(MAX_PENDING)
                .killGracePeriod(Duration.ofMillis(500)).build();
        ActionServer server = ActionServer.start(ActionRoutes.builder(engine, registry).build(), "127.0.0.1", 0);
        ConnectionProvider connections = ConnectionProvider.builder("load").maxConnections(CLIENTS + 10)
                .pendingAcquireMaxCount(-1).build();
        HttpClient client = HttpClient.create(connections).baseUrl(server.url())
                .responseTimeout(Duration.ofSeconds(60))
                .headers(h -> h.set("Accept", "application/x-ndjson"));
        Scheduler sampling = Schedulers.newSingle("process-sampler");
        AtomicInteger peak = new AtomicInteger();
        Disposable sampler = null;
        try {
            // warm up the event loops and the connection pool so that the descriptor baseline is stable
            assertThat(get(client).status).isEqualTo(200);
            long descriptors = openDescriptors();

            sampler = Flux.interval(Duration.ofMillis(2), sampling)
                    .subscribe(tick -> peak.accumulateAndGet(liveChildren(), Math::max));
            List<Answer> answers = Flux.range(0, CLIENTS).flatMap(i -> Flux.from(getLater(client)), CLIENTS)
                    .collectList().block(Duration.ofSeconds(120));
            sampler.dispose();

            assertThat(answers).hasSize(CLIENTS);
            long accepted = answers.stream().filter(a -> a.status == 200).count();
            long refused = answers.stream().filter(a -> a.status == 503).count();
            assertThat(accepted + refused).as("every answer is 200 or 503").isEqualTo(CLIENTS);
            assertThat(accepted).isGreaterThanOrEqualTo(MAX_CONCURRENCY + MAX_PENDING);
            assertThat(refused).as("the clients beyond maxConcurrency + maxPendingAcquire are refused").isPositive();
            for (Answer a : answers) {
                if (a.status == 200) {
                    assertCompleteOutput(a.body);
                }
                else {
                    assertThat(a.retryAfter).isEqualTo("1");
                    assertThat(Json.parse(a.body).get("error").asString()).isEqualTo("overloaded");
                }
            }
            assertThat(peak.get()).as("most processes alive at once, as the OS saw them")
                    .isBetween(1, MAX_CONCURRENCY);
            assertThat(engine.metrics().rejected()).isEqualTo(refused);

            connections.disposeLater().block(Duration.ofSeconds(10));
            Children.awaitNone();
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 0);
            await().alias("file descriptors back to the baseline of " + descriptors)
                    .atMost(Duration.ofSeconds(10)).until(() -> openDescriptors() <= descriptors);
        }
        finally {
            if (sampler != null) {
                sampler.dispose();
            }
            sampling.dispose();
            connections.dispose();
            server.close();
            engine.close();
        }
    }

    private static void assertCompleteOutput(String body) {
        String[] lines = body.split("\n");
        StringBuilder stdout = new StringBuilder();
        for (int i = 0; i < lines.length - 1; i++) {
            stdout.append(Json.parse(lines[i]).get("text").asString());
        }
        assertThat(stdout).hasToString("line1\nline2\nline3\nline4\nline5\n");
        JsonNode exit = Json.parse(lines[lines.length - 1]);
        assertThat(exit.get("stream").asString()).isEqualTo("exit");
        assertThat(exit.get("exitCode").asInt()).isZero();
    }

    private static Answer get(HttpClient client) {
        return getLater(client).block(Duration.ofSeconds(30));
    }

    private static reactor.core.publisher.Mono<Answer> getLater(HttpClient client) {
        return client.post().uri("/actions/burst/stream")
                .responseSingle((response, body) -> body.asString().defaultIfEmpty("")
                        .map(s -> new Answer(response.status().code(), s,
                                String.valueOf(response.responseHeaders().get("Retry-After")))));
    }

    /** Direct children that are running (the engine starts {@code sh}; its {@code sleep}s are grandchildren). */
    private static int liveChildren() {
        return (int) ProcessHandle.current().children().filter(p -> {
            char s = Children.state(p.pid());
            return s != 'Z' && s != '?';
        }).count();
    }

    private static long openDescriptors() {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
