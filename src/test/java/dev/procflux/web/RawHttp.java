package dev.procflux.web;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, byte for byte as a browser or an attacker sends it: any {@code Host},
 * {@code Origin} or {@code Sec-Fetch-*} header, half-sent requests. Every request asks for
 * {@code Connection: close} unless the caller's head says otherwise, and the answer is read until the server
 * closes (or the read timeout passes).
 */
final class RawHttp {
    private RawHttp() {
    }

    /** A response: status code, headers (lower-case names), the body as received (chunked framing left in). */
    record Response(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Sends {@code head} (request line and header lines, each without the line end) and {@code body}.
     *
     * @param port the server's loopback port
     * @param head e.g. {@code "POST /actions/echo HTTP/1.1", "Host: 127.0.0.1", "Origin: http://evil.example"}
     * @param body the body bytes; a {@code Content-Length} is added when the head has none and the body is not empty
     */
    static Response send(int port, String body, String... head) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(20_000);
            StringBuilder request = new StringBuilder();
            boolean hasLength = false;
            boolean hasConnection = false;
            for (String line : head) {
                request.append(line).append("\r\n");
                String lower = line.toLowerCase(Locale.ROOT);
                hasLength |= lower.startsWith("content-length:") || lower.startsWith("transfer-encoding:");
                hasConnection |= lower.startsWith("connection:");
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (!hasLength && bytes.length > 0) {
                request.append("Content-Length: ").append(bytes.length).append("\r\n");
            }
            if (!hasConnection) {
                request.append("Connection: close\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            return parse(readAll(socket.getInputStream()));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads until the server closes, or the socket's read timeout passes (then what arrived so far). */
    static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                all.write(buffer, 0, n);
            }
        }
        catch (SocketTimeoutException e) {
            // what arrived so far is the answer; the caller asserts on it
        }
        return all.toByteArray();
    }

    static Response parse(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            return new Response(-1, Map.of(), text);
        }
        String[] lines = text.substring(0, end).split("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1)
                    .trim());
        }
        return new Response(Integer.parseInt(lines[0].substring(9, 12)), headers, text.substring(end + 4));
    }
}
