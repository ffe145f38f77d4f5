package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.EngineMetrics;
import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * SSE clients of {@code yes} that stop reading, over real TCP sockets: what the server holds for them is bounded in
 * the engine (its queue) and in the HTTP layer (the send window), {@code GET /metrics} reports both, and both go
 * back to zero when the clients hang up.
 */
@EnabledOnOs(OS.LINUX)
class StalledClientsIT {
    private static final int CLIENTS = 24;
    /**
     * The largest frame of {@code yes}: the engine's largest chunk (256 KiB) of {@code y\n} is 384 KiB of
     * JSON-escaped text, plus the event's lines.
     */
    private static final long MAX_FRAME = 384 * 1024 + 64;
    /** Held by a stalled stream outside both counts: a chunk in the encoder, Netty's objects per connection. */
    private static final long UNCOUNTED_PER_STREAM = 512 * 1024;

    @Test
    void stalledSseClientsHoldAtMostTheWindowInTheHttpLayerAndReleaseEverythingWhenTheyHangUp() throws Exception {
        ActionRegistry registry = ActionRegistry.builder()
                .add(Action.builder("yes", "yes").timeout(Duration.ofMinutes(2)).maxOutputBytes(Long.MAX_VALUE)
                        .build())
                .build();
        ProcessEngine engine = ProcessEngine.builder().maxConcurrency(CLIENTS + 2)
                .killGracePeriod(Duration.ofMillis(500)).build();
        ActionServer server = ActionServer.start(ActionRoutes.builder(engine, registry).build(), "127.0.0.1", 0);
        List<Socket> clients = new ArrayList<>();
        try {
            // warms up the event loops, the encoder and Netty's pools so that the heap baseline holds them already
            try (Socket fast = open(server.port())) {
                InputStream in = fast.getInputStream();
                byte[] buffer = new byte[64 * 1024];
                long read = 0;
                while (read < 16L << 20) {
                    int n = in.read(buffer);
                    assertThat(n).as("the stream ended after %d bytes", read).isPositive();
                    read += n;
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().alive() == 0
                    && httpBufferedBytes(server) == 0);
            long heapBefore = heapAfterGc();

            for (int i = 0; i < CLIENTS; i++) {
                clients.add(open(server.port()));
            }
            // every stream stalled end to end: its process paused, and the HTTP layer no longer changes
            await().atMost(Duration.ofSeconds(60)).until(() -> engine.metrics().alive() == CLIENTS
                    && engine.metrics().pauses() >= CLIENTS);
            // and the kernel's socket buffers are full: no process resumed, nothing moved, for two seconds
            AtomicReference<List<Long>> last = new AtomicReference<>(List.of());
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                EngineMetrics now = engine.metrics();
                List<Long> state = List.of(now.pauses(), now.bufferedBytes(), httpBufferedBytes(server));
                return state.get(2) > 0 && state.equals(last.getAndSet(state));
            });
            long http = last.get().get(2);
            EngineMetrics m = engine.metrics();
            long grown = heapAfterGc() - heapBefore;
            System.out.printf("%d stalled SSE clients of yes: heap growth after GC %,d bytes (%,d per stream), "
                    + "engine queue %,d, HTTP layer %,d (%,d per stream)%n", CLIENTS, grown, grown / CLIENTS,
                    m.bufferedBytes(), http, http / CLIENTS);

            assertThat(http).as("each stream holds at most the window plus one frame in the HTTP layer")
                    .isLessThanOrEqualTo(CLIENTS * (SendWindow.DEFAULT_WINDOW_BYTES + MAX_FRAME));
            assertThat(grown).as("heap growth: the engine's queue, the HTTP layer, %,d bytes per stream besides",
                    UNCOUNTED_PER_STREAM)
                    .isLessThanOrEqualTo(m.bufferedBytes() + http + CLIENTS * UNCOUNTED_PER_STREAM);

            for (Socket client : clients) {
                client.close();
            }
            Children.awaitNone();
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.metrics().acquired() == 0
                    && engine.metrics().bufferedBytes() == 0 && httpBufferedBytes(server) == 0);
        }
        finally {
            for (Socket client : clients) {
                client.close();
            }
            server.close();
            engine.close();
        }
    }

    /** A client that asks for the stream and reads nothing more unless the caller does. */
    static Socket open(int port) throws IOException {
        Socket socket = new Socket();
        // a small window: the kernel holds little for a client that never reads, so the server holds the rest
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.getOutputStream().write(("GET /actions/yes/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Accept: text/event-stream\r\nSec-Fetch-Site: same-origin\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return socket;
    }

    static long httpBufferedBytes(ActionServer server) {
        RawHttp.Response r = RawHttp.send(server.port(), "", "GET /metrics HTTP/1.1", "Host: 127.0.0.1");
        if (r.status() != 200) {
            throw new UncheckedIOException(new IOException("GET /metrics answered " + r.status() + ": " + r.body()));
        }
        return Json.parse(r.body()).get("httpBufferedBytes").asLong();
    }

    static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
