package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.procflux.EngineMetrics;
import dev.procflux.ProcessEngine;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/**
 * The WebFlux face at server scale: 500 SSE clients of {@code yes} over real TCP, half of them reading 10 KiB/s,
 * the other half as fast as they can. The slow half must cost the server a bounded heap and cost the fast half
 * little throughput, and everything is released when the clients hang up.
 *
 * <p>The fast clients are measured alone, alone again, then beside the slow ones, each against its own first rate.
 * The second phase alone is the noise floor: how far a client's ratio moves when nothing but time changes. The
 * summary also gives how steady each client is: the coefficient of variation of its 5-s rates, and of its share of
 * the fast clients' mean rate over the same 5 s (which moves only when a client gains at the others' expense).
 *
 * <p>Heavy (500 processes, 1,000 descriptors of pipes, 500 sockets): tagged {@code load}, run with
 * {@code -Pload}. {@code -Dprocflux.load.seconds=N} sets how long each phase is measured (default 60),
 * {@code -Dprocflux.load.clients=N} the clients (default 500), {@code -Dprocflux.load.readers=N} the client threads
 * (default 2), {@code -Dprocflux.load.high=B -Dprocflux.load.low=B} the engine's watermarks (default the engine's),
 * and {@code -Dprocflux.load.detail=true} prints each fast client's rate in every phase, its mean frame size, the
 * coefficients of variation of its 5-s rates, its reads that filled the client's buffer, and its rate over every 5 s.
 */
@EnabledOnOs(OS.LINUX)
@Tag("load")
class SseScaleLoadIT {
    private static final int CLIENTS = Integer.getInteger("procflux.load.clients", 500);
    private static final int SLOW_BYTES_PER_SECOND = 10 * 1024;
    /**
     * Stated before measuring, above the baseline: the engine's budget for all queues, plus 512 KiB per stream for
     * what the budget does not count (the send window of 64 KiB and a frame, a chunk in the encoder, the
     * connection's objects). A stream that a stalled client pins in Netty's outbound buffer held about 6 MB.
     */
    private static final long UNCOUNTED_PER_STREAM = 512 * 1024;
    /** {@code -Dprocflux.load.detail=true}: counts each client's frames and prints one line per fast client. */
    private static final boolean DETAIL = Boolean.getBoolean("procflux.load.detail");
    /** Client threads, each reading its share of the clients ({@code -Dprocflux.load.readers}). */
    private static final int READERS = Integer.getInteger("procflux.load.readers", 2);
    /** The most one client reads per pass of its reader. */
    private static final int READ_BYTES = Integer.getInteger("procflux.load.readBytes", 256 * 1024);

    @Test
    void fiveHundredSseClientsHalfOfThemSlowKeepTheHeapBoundedAndTheFastOnesFast() throws Exception {
        Duration phase = Duration.ofSeconds(Long.getLong("procflux.load.seconds", 60));
        ActionRegistry registry = ActionRegistry.builder()
                .add(Action.builder("yes", "yes").timeout(Duration.ofHours(1)).maxOutputBytes(Long.MAX_VALUE)
                        .build())
                .build();
        ProcessEngine.Builder engineBuilder = ProcessEngine.builder().maxConcurrency(CLIENTS + 8).maxPendingAcquire(CLIENTS)
                .killGracePeriod(Duration.ofMillis(500));
        Long high = Long.getLong("procflux.load.high");
        if (high != null) {
            engineBuilder.watermarks(high, Long.getLong("procflux.load.low", high / 4));
        }
        ProcessEngine engine = engineBuilder.build();
        ActionServer server = ActionServer.builder(ActionRoutes.builder(engine, registry).build())
                .host("127.0.0.1").port(0).maxConnections(CLIENTS + 64).start();
        try {
            // each phase starts with the event loops, the encoder and the JIT warm
            try (Clients warm = Clients.open(server.port(), 1, 0)) {
                warm.runUntilAllStream(Duration.ofSeconds(30));
                warm.run(Duration.ofSeconds(5));
            }
            awaitReleased(engine, server);
            long heapBefore = StalledClientsIT.heapAfterGc();

            // the same fast clients are measured alone twice, then beside the slow ones: each against itself. The
            // second phase alone is the noise floor: what a client's rate changes by when nothing else changes
            double[] alone;
            double[] alone2;
            double[] mixed;
            double[] slowRates;
            long heapGrowth;
            EngineMetrics m;
            long http;
            double[][] cvs = new double[3][];
            double[][] shareCvs = new double[3][];
            try (Clients fast = Clients.open(server.port(), CLIENTS / 2, 0)) {
                fast.runUntilAllStream(Duration.ofMinutes(3));
                fast.run(Duration.ofSeconds(5));
                long[] cappedBefore = fast.cappedReads.clone();
                alone = fast.run(phase);
                double[] aloneFrames = fast.frameRates;
                long[][] aloneSeries = fast.series;
                cvs[0] = fast.windowCvs(CLIENTS / 2, false);
                shareCvs[0] = fast.windowCvs(CLIENTS / 2, true);
                long[] aloneCapped = fast.cappedReads.clone();
                for (int i = 0; i < aloneCapped.length; i++) {
                    aloneCapped[i] -= cappedBefore[i];
                }
                alone2 = fast.run(phase);
                long[][] alone2Series = fast.series;
                cvs[1] = fast.windowCvs(CLIENTS / 2, false);
                shareCvs[1] = fast.windowCvs(CLIENTS / 2, true);
                try (Clients slow = Clients.open(server.port(), CLIENTS / 2, SLOW_BYTES_PER_SECOND)) {
                    Clients all = Clients.both(fast, slow);
                    all.runUntilAllStream(Duration.ofMinutes(3));
                    all.run(Duration.ofSeconds(5));
                    double[] rates = all.run(phase);
                    mixed = Arrays.copyOfRange(rates, 0, CLIENTS / 2);
                    slowRates = Arrays.copyOfRange(rates, CLIENTS / 2, CLIENTS);
                    cvs[2] = all.windowCvs(CLIENTS / 2, false);
                    shareCvs[2] = all.windowCvs(CLIENTS / 2, true);
                    if (DETAIL) {
                        for (int i = 0; i < CLIENTS / 2; i++) {
                            System.out.printf("client %d alone %.0f B/s frame %.0f alone2 %.0f B/s mixed %.0f B/s "
                                    + "frame %.0f kept %.2f noise %.2f cv %.2f %.2f %.2f capped reads %d%n",
                                    i, alone[i], alone[i] / Math.max(1, aloneFrames[i]), alone2[i], mixed[i],
                                    mixed[i] / Math.max(1, all.frameRates[i]), mixed[i] / alone[i],
                                    alone2[i] / alone[i], cvs[0][i], cvs[1][i], cvs[2][i], aloneCapped[i]);
                            System.out.println("series " + i + " alone" + Clients.windowLine(aloneSeries, i)
                                    + " alone2" + Clients.windowLine(alone2Series, i) + " mixed"
                                    + Clients.windowLine(all.series, i));
                        }
                    }
                    m = engine.metrics();
                    http = StalledClientsIT.httpBufferedBytes(server);
                    heapGrowth = StalledClientsIT.heapAfterGc() - heapBefore;
                    assertThat(m.alive()).as("every client's process is running; answers: %s", all.heads())
                            .isEqualTo(CLIENTS);
                }
            }
            double[] kept = new double[alone.length];
            double[] noise = new double[alone.length];
            for (int i = 0; i < kept.length; i++) {
                kept[i] = mixed[i] / alone[i];
                noise[i] = alone2[i] / alone[i];
            }
            Arrays.sort(kept);
            Arrays.sort(noise);
            System.out.printf("%d SSE clients of yes, %s per phase: %d fast clients alone %.0f B/s each on average "
                    + "(min %.0f), alone again %.0f B/s (min %.0f), beside %d slow ones %.0f B/s (min %.0f); each "
                    + "fast client kept min %.2f, median %.2f, max %.2f of its own rate alone; alone again ÷ alone "
                    + "(the noise floor) min %.2f, median %.2f, max %.2f; each fast client's 5-s rates vary by "
                    + "(coefficient of variation, mean over the clients) %.2f alone, %.2f alone again, %.2f beside "
                    + "the slow ones, and its share of the fast clients' mean rate over the same 5 s by %.2f, %.2f, "
                    + "%.2f; slow clients %.0f B/s on average (min %.0f); heap growth after GC %,d bytes; "
                    + "engine queue %,d (peak per stream %,d), HTTP layer %,d; budget pauses %d%n", CLIENTS, phase,
                    CLIENTS / 2, mean(alone), min(alone), mean(alone2), min(alone2), CLIENTS / 2, mean(mixed),
                    min(mixed), kept[0], kept[kept.length / 2], kept[kept.length - 1], noise[0],
                    noise[noise.length / 2], noise[noise.length - 1], mean(cvs[0]), mean(cvs[1]), mean(cvs[2]),
                    mean(shareCvs[0]), mean(shareCvs[1]), mean(shareCvs[2]), mean(slowRates), min(slowRates), heapGrowth, m.bufferedBytes(), m.peakBufferedBytes(), http,
                    m.budgetPauses());

            // every client has hung up: nothing may be left, whatever the figures were
            awaitReleased(engine, server);
            assertThat(heapGrowth).as("server heap growth after GC with %d clients", CLIENTS)
                    .isLessThanOrEqualTo(engine.options().maxTotalBufferedBytes() + CLIENTS * UNCOUNTED_PER_STREAM);
            assertThat(kept[0]).as("the share of its own rate alone that the worst fast client kept")
                    .isGreaterThanOrEqualTo(0.8);
        }
        finally {
            server.close();
            engine.close();
        }
    }

    private static double mean(double[] values) {
        return Arrays.stream(values).average().orElseThrow();
    }

    private static double min(double[] values) {
        return Arrays.stream(values).min().orElseThrow();
    }

    private static void awaitReleased(ProcessEngine engine, ActionServer server) {
        long begin = System.nanoTime();
        // hundreds of process trees are killed at once on two loaded cores: allow for it
        java.util.function.Supplier<String> state = () -> "children " + Children.alive() + ", " + engine.metrics()
                + ", httpBufferedBytes " + StalledClientsIT.httpBufferedBytes(server) + ", connections "
                + server.openConnections();
        try {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Children.alive() == 0 && engine.metrics().acquired() == 0
                            && engine.metrics().bufferedBytes() == 0
                            && StalledClientsIT.httpBufferedBytes(server) == 0 && server.openConnections() <= 1);
        }
        catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("not released: " + state.get(), e);
        }
        System.out.printf("released after %d ms%n", (System.nanoTime() - begin) / 1_000_000);
        Children.awaitNone();
    }

    /**
     * SSE clients on one selector thread (the caller's): a client with a rate reads at most that many bytes per
     * second, in ticks of 100 ms; one without reads whatever has arrived.
     */
    private static final class Clients implements AutoCloseable {
        private final List<SocketChannel> channels;
        private final long[] rates;
        private final long[] received;
        /** Frames received per client, counted only with {@link #DETAIL}: each event holds one 'v' ("event"). */
        private final long[] frames;
        /** Each client's frames per second over the last {@link #run}. */
        double[] frameRates = new double[0];
        /** Each client's bytes received at every 5 s of the last {@link #run}. */
        long[][] series = new long[0][0];
        /** Reads per client that filled the whole buffer (more was waiting), over every {@link #run}. */
        final long[] cappedReads;
        /** The start of each answer: its status line, or more of it when it is not a stream. */
        private final String[] heads;

        private Clients(List<SocketChannel> channels, long[] rates) {
            this.channels = channels;
            this.rates = rates;
            this.received = new long[rates.length];
            this.frames = new long[rates.length];
            this.cappedReads = new long[rates.length];
            this.heads = new String[rates.length];
            Arrays.fill(heads, "");
        }

        /** @return each distinct answer start with the number of clients that got it */
        java.util.Map<String, Long> heads() {
            return Arrays.stream(heads).collect(java.util.stream.Collectors.groupingBy(
                    h -> h.startsWith("HTTP/1.1 200") ? "HTTP/1.1 200" : h.isEmpty() ? "(nothing yet)" : h, java.util.TreeMap::new,
                    java.util.stream.Collectors.counting()));
        }

        static Clients open(int port, int count, long bytesPerSecond) throws IOException {
            List<SocketChannel> channels = new ArrayList<>();
            byte[] request = ("GET /actions/yes/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                    + "Sec-Fetch-Site: same-origin\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                channel.write(ByteBuffer.wrap(request));
                channel.configureBlocking(false);
                channels.add(channel);
            }
            long[] rates = new long[count];
            Arrays.fill(rates, bytesPerSecond);
            return new Clients(channels, rates);
        }

        static Clients both(Clients a, Clients b) {
            List<SocketChannel> channels = new ArrayList<>(a.channels);
            channels.addAll(b.channels);
            long[] rates = Arrays.copyOf(a.rates, a.rates.length + b.rates.length);
            System.arraycopy(b.rates, 0, rates, a.rates.length, b.rates.length);
            Clients both = new Clients(channels, rates);
            System.arraycopy(a.heads, 0, both.heads, 0, a.heads.length);
            System.arraycopy(b.heads, 0, both.heads, a.heads.length, b.heads.length);
            return both;
        }

        /** @return whether every client has received the status line and headers of a 200 */
        boolean allStreaming() {
            return Arrays.stream(heads).allMatch(h -> h.startsWith("HTTP/1.1 200") && h.contains("\r\n\r\n"));
        }

        /** Reads until every client streams, in slices of a second, for at most {@code timeout}. */
        void runUntilAllStream(Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!allStreaming()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("not every client streams after " + timeout + ": " + heads());
                }
                run(Duration.ofSeconds(1));
            }
        }

        /**
         * Reads for {@code duration} on {@link #READERS} threads, each with a selector of its own over every
         * {@code READERS}-th client; returns each client's bytes per second over it.
         */
        double[] run(Duration duration) throws IOException {
            long[] start = received.clone();
            long[] startFrames = frames.clone();
            long begin = System.nanoTime();
            long end = begin + duration.toNanos();
            series = new long[(int) (duration.toMillis() / 5000) + 2][received.length];
            List<java.util.concurrent.CompletableFuture<Void>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                int reader = r;
                readers.add(java.util.concurrent.CompletableFuture.runAsync(() -> {
                    try {
                        read(reader, begin, end);
                    }
                    catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }, command -> new Thread(command, "sse-client-reader-" + reader).start()));
            }
            try {
                java.util.concurrent.CompletableFuture.allOf(readers.toArray(new java.util.concurrent.CompletableFuture<?>[0])).join();
            }
            catch (java.util.concurrent.CompletionException e) {
                if (e.getCause() instanceof java.io.UncheckedIOException io) {
                    throw io.getCause();
                }
                throw e;
            }
            double seconds = (System.nanoTime() - begin) / 1e9;
            double[] perSecond = new double[received.length];
            frameRates = new double[received.length];
            for (int i = 0; i < perSecond.length; i++) {
                perSecond[i] = (received[i] - start[i]) / seconds;
                frameRates[i] = (frames[i] - startFrames[i]) / seconds;
            }
            return perSecond;
        }

        /**
         * One reader's loop over the clients {@code i} with {@code i % READERS == reader}: a slow client reads its
         * allowance every 100 ms; each fast client that has bytes gets one read of at most the buffer per pass, so
         * that every fast client of the reader is served alike however much has piled up for one of them.
         */
        private void read(int reader, long begin, long end) throws IOException {
            long[] allowance = new long[rates.length];
            ByteBuffer buffer = ByteBuffer.allocateDirect(READ_BYTES);
            long nextTick = begin;
            int tick = 0;
            try (Selector selector = Selector.open()) {
                for (int i = reader; i < channels.size(); i += READERS) {
                    if (rates[i] == 0) {
                        channels.get(i).register(selector, SelectionKey.OP_READ, i);
                    }
                }
                for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                    if (now >= nextTick) {
                        nextTick += 100_000_000L;
                        if (tick % 50 == 0 && tick / 50 < series.length) {
                            for (int i = reader; i < rates.length; i += READERS) {
                                series[tick / 50][i] = received[i];
                            }
                        }
                        tick++;
                        for (int i = reader; i < rates.length; i += READERS) {
                            if (rates[i] > 0) {
                                allowance[i] = Math.min(allowance[i] + rates[i] / 10, rates[i]);
                                allowance[i] -= read(i, buffer, allowance[i]);
                            }
                        }
                    }
                    selector.select(Math.max(1, Math.min(100, (nextTick - now) / 1_000_000)));
                    for (SelectionKey key : selector.selectedKeys()) {
                        read((Integer) key.attachment(), buffer, buffer.capacity());
                    }
                    selector.selectedKeys().clear();
                }
                for (SelectionKey key : selector.keys()) {
                    key.cancel();
                }
                selector.selectNow();
            }
        }

        private long read(int i, ByteBuffer buffer, long atMost) throws IOException {
            buffer.clear().limit((int) Math.min(buffer.capacity(), atMost));
            int n = channels.get(i).read(buffer);
            if (n < 0) {
                throw new IOException("client " + i + ": the server ended the stream after " + received[i]
                        + " bytes");
            }
            if (heads[i].length() < 300 && n > 0) {
                buffer.flip();
                byte[] start = new byte[Math.min(n, 300 - heads[i].length())];
                buffer.get(start);
                heads[i] += new String(start, StandardCharsets.ISO_8859_1);
            }
            received[i] += n;
            if (n == buffer.capacity()) {
                cappedReads[i]++;
            }
            if (DETAIL && n > 0) {
                byte[] bytes = new byte[n];
                buffer.get(0, bytes);
                for (byte b : bytes) {
                    if (b == 'v') {
                        frames[i]++;
                    }
                }
            }
            return n;
        }

        /** @return client {@code i}'s rate over each 5 s of the last {@link #run}, in bytes per second */
        double[] windowRates(int i) {
            double[] rates = new double[series.length - 1];
            int n = 0;
            for (int w = 1; w < series.length && series[w][i] > 0; w++) {
                rates[n++] = (series[w][i] - series[w - 1][i]) / 5.0;
            }
            return Arrays.copyOf(rates, n);
        }

        /**
         * @param shares false: each client's 5-s rates as they are; true: each divided by the mean of the first
         *        {@code count} clients over the same 5 s, which takes out what moves every client alike (the
         *        machine's other load) and leaves what one client gains at the others' expense
         * @return for each of the first {@code count} clients, the coefficient of variation (standard deviation ÷
         *         mean) of those figures over the last {@link #run}: how steady the client was
         */
        double[] windowCvs(int count, boolean shares) {
            double[][] rates = new double[count][];
            for (int i = 0; i < count; i++) {
                rates[i] = windowRates(i);
            }
            int windows = Arrays.stream(rates).mapToInt(r -> r.length).min().orElse(0);
            double[] cvs = new double[count];
            for (int i = 0; i < count; i++) {
                double[] figures = Arrays.copyOf(rates[i], windows);
                for (int w = 0; shares && w < windows; w++) {
                    int window = w;
                    figures[w] /= Math.max(1, Arrays.stream(rates).mapToDouble(r -> r[window]).average().orElse(1));
                }
                cvs[i] = cv(figures);
            }
            return cvs;
        }

        private static double cv(double[] values) {
            double mean = Arrays.stream(values).average().orElse(0);
            double variance = Arrays.stream(values).map(r -> (r - mean) * (r - mean)).sum()
                    / Math.max(1, values.length - 1);
            return mean == 0 ? 0 : Math.sqrt(variance) / mean;
        }

        /** @return client {@code i}'s rate over each 5 s of {@code series}, one number each, after a space */
        static String windowLine(long[][] series, int i) {
            StringBuilder line = new StringBuilder();
            for (int w = 1; w < series.length && series[w][i] > 0; w++) {
                line.append(' ').append((series[w][i] - series[w - 1][i]) / 5);
            }
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            for (SocketChannel channel : channels) {
                channel.close();
            }
        }
    }
}
