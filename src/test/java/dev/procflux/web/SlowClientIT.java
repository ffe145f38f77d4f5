package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.procflux.EngineMetrics;
import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that reads a stream slowly, over a real TCP socket: the server writes ahead of it only what the engine's
 * queue, the HTTP layer's send window (which covers Netty's outbound buffer) and the connection's kernel buffers hold,
 * and {@link ActionServer.Builder#sendBufferBytes} bounds the server's kernel buffer.
 */
@EnabledOnOs(OS.LINUX)
class SlowClientIT {
    /** What the action's process writes at a time, counting the blocks in a file. */
    private static final int BLOCK = 64 * 1024;

    @Test
    void aSlowClientMakesTheServerWriteAtMostTheSendBufferAheadOfItsSocket(@TempDir Path dir) throws Exception {
        Path count = dir.resolve("count");
        ActionRegistry registry = ActionRegistry.builder()
                .add(Action.builder("blocks", "sh", "-c",
                                "n=0; while head -c " + BLOCK + " /dev/zero; do n=$((n+1)); echo $n > \"$0.new\"; mv \"$0.new\" \"$0\"; done",
                                count.toString())
                        .timeout(Duration.ofMinutes(2)).maxOutputBytes(Long.MAX_VALUE).build())
                .build();
        // small marks keep the stdout pipe at its default 64 KiB (StreamMarks.pipeFor)
        ProcessEngine engine = ProcessEngine.builder().watermarks(256 * 1024, 64 * 1024)
                .killGracePeriod(Duration.ofMillis(500)).build();
        ActionServer server = ActionServer.builder(ActionRoutes.builder(engine, registry).build()).host("127.0.0.1")
                .port(0).start();
        try (SocketChannel client = SocketChannel.open(new InetSocketAddress("127.0.0.1", server.port()))) {
            client.write(ByteBuffer.wrap(("GET /actions/blocks/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Accept: application/octet-stream\r\nSec-Fetch-Site: same-origin\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII)));
            // reads 10 KiB a second for 5 s, as the slow clients of SseScaleLoadIT do: the kernel sizes the
            // connection's buffers to that traffic unless they are fixed
            ByteBuffer buffer = ByteBuffer.allocate(1024);
            long received = 0;
            long begin = System.nanoTime();
            for (int tick = 1; tick <= 50; tick++) {
                long due = begin + tick * 100_000_000L;
                await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                        .until(() -> System.nanoTime() >= due);
                buffer.clear();
                int n = client.read(buffer);
                assertThat(n).as("the stream ended after %d bytes", received).isPositive();
                received += n;
            }
            // then stops reading: once nothing moves for a second, everything written is held somewhere
            AtomicReference<List<Long>> last = new AtomicReference<>(List.of());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                EngineMetrics m = engine.metrics();
                List<Long> state = List.of(blocks(count), m.pauses(), m.bufferedBytes(),
                        StalledClientsIT.httpBufferedBytes(server));
                return state.equals(last.getAndSet(state));
            });
            long written = last.get().get(0) * BLOCK;
            long engineQueue = last.get().get(2);
            long http = last.get().get(3);
            // the response's head and chunk lines make the received bytes a little more than the output's
            long kernel = written - received - engineQueue - http;
            assertThat(http).as("the HTTP layer: the send window and one frame of at most a chunk")
                    .isLessThanOrEqualTo(SendWindow.DEFAULT_WINDOW_BYTES + 64 * 1024);
            int receiveBuffer = client.socket().getReceiveBufferSize();
            System.out.printf("a client reading 10 KiB/s: the process wrote %,d bytes, the client read %,d; the engine "
                    + "queue holds %,d, the HTTP layer %,d, the pipe and the kernel's socket buffers %,d (client "
                    + "receive buffer %,d)%n", written, received, engineQueue, http, kernel, receiveBuffer);
            // Linux doubles SO_SNDBUF for its own overhead; the pipe holds at most 64 KiB, and the block being
            // written another 64 KiB beyond the count
            assertThat(kernel).as("written ahead of the client's socket, beyond the engine and the HTTP layer")
                    .isLessThanOrEqualTo(2L * ActionServer.DEFAULT_SEND_BUFFER_BYTES + receiveBuffer + 2L * BLOCK);
        }
        finally {
            server.close();
            engine.close();
        }
        Children.awaitNone();
    }

    @Test
    void theSendBufferIsAtLeastAPageOrLeftToTheKernel() {
        try (ProcessEngine engine = ProcessEngine.builder().build()) {
            ActionServer.Builder builder = ActionServer.builder(ActionRoutes.builder(engine,
                    ActionRegistry.builder().build()).build());
            assertThatThrownBy(() -> builder.sendBufferBytes(4095)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("sendBufferBytes must be >= 4096 or negative (the kernel's own sizing), was 4095");
            assertThatThrownBy(() -> builder.sendBufferBytes(0)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("sendBufferBytes must be >= 4096 or negative (the kernel's own sizing), was 0");
            assertThat(builder.sendBufferBytes(4096)).isSameAs(builder);
            assertThat(builder.sendBufferBytes(-1)).isSameAs(builder);
        }
    }

    private static long blocks(Path count) throws IOException {
        if (!Files.exists(count)) {
            return 0;
        }
        String text = Files.readString(count).trim();
        return text.isEmpty() ? 0 : Long.parseLong(text);
    }
}
