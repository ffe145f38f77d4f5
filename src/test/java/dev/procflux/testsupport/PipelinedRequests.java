package dev.procflux.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 pipelining on one kept-alive plain socket: a request sent behind a running action and answered at once
 * must not stop the server from reading the connection's next request. reactor-netty 1.3.6 and 1.3.7 stop reading
 * there when the answer is written within the handler (https://github.com/reactor/reactor-netty/issues/4361);
 * 1.3.8 reads on. procflux's routes answer after their handler returns, so they pass on every version; a handler
 * that is not procflux's (the router's 404) passes only on a fixed reactor-netty.
 */
public final class PipelinedRequests {
    private PipelinedRequests() {
    }

    /**
     * Sends {@code POST PREFIX/actions/seq?count=1} with, behind it in the same write, a request the routes answer at
     * once (a 421 refusal, then the page), then {@code GET PREFIX/health}; asserts each answer within 10 s.
     *
     * @param port the server's loopback port
     * @param prefix the path the routes are nested in ({@code ""} or {@code /procflux}); an action {@code seq}
     *     taking {@code count} must exist and the host {@code evil.example.net} must not be allowed
     */
    public static void assertTheConnectionReadsOnAfterEachAnswer(int port, String prefix) throws IOException {
        assertTheConnectionReadsOn(port, prefix, new int[] {421, 200},
                request("POST", prefix + "/actions/seq?count=1", "evil.example.net"),
                request("GET", prefix + "/", "localhost"));
    }

    /**
     * Sends {@code POST PREFIX/actions/seq?count=1} with, behind it in the same write, {@code GET path}, which a
     * handler other than the routes answers at once with {@code status}, then {@code GET PREFIX/health}; asserts
     * each answer within 10 s.
     *
     * @param port the server's loopback port
     * @param prefix the path the routes are nested in ({@code ""} or {@code /procflux}); an action {@code seq}
     *     taking {@code count} must exist
     * @param path a path outside the routes, e.g. one no handler knows
     * @param status the status its handler answers with
     */
    public static void assertTheConnectionReadsOnAfterAnAnswerOutsideTheRoutes(int port, String prefix, String path,
            int status) throws IOException {
        assertTheConnectionReadsOn(port, prefix, new int[] {status}, request("GET", path, "localhost"));
    }

    private static void assertTheConnectionReadsOn(int port, String prefix, int[] statuses, String... answeredAtOnce)
            throws IOException {
        String run = request("POST", prefix + "/actions/seq?count=1", "localhost");
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < answeredAtOnce.length; i++) {
                out.write((run + answeredAtOnce[i]).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(readStatus(in)).as("the action").isEqualTo(200);
                assertThat(readStatus(in)).as("the request pipelined behind it").isEqualTo(statuses[i]);
                out.write(request("GET", prefix + "/health", "localhost").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                try {
                    assertThat(readStatus(in)).as("the next request").isEqualTo(200);
                }
                catch (SocketTimeoutException e) {
                    throw new AssertionError("the request after '" + answeredAtOnce[i].lines().findFirst()
                            .orElseThrow() + "' got no answer within 10 s on the same connection", e);
                }
            }
        }
    }

    private static String request(String method, String path, String host) {
        return method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 0\r\n\r\n";
    }

    /** Reads one response with a {@code Content-Length} body; returns its status. */
    private static int readStatus(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("the server closed the connection; read so far: " + head);
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.US_ASCII).split("\r\n");
        long length = -1;
        for (String l : lines) {
            if (l.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Long.parseLong(l.substring(l.indexOf(':') + 1).trim());
            }
        }
        assertThat(length).as("Content-Length of %s", lines[0]).isNotNegative();
        assertThat(in.readNBytes((int) length)).hasSize((int) length);
        return Integer.parseInt(lines[0].split(" ")[1]);
    }
}
