package dev.procflux.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.testsupport.ProcFs;
import io.netty.channel.ChannelOption;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The customizer docs/spring-boot.md shows gives each connection of Boot's Reactor Netty server, and so each SSE
 * stream of the mounted routes, a fixed kernel send buffer.
 */
@EnabledOnOs(OS.LINUX)
@SpringBootTest(classes = NettySendBufferIT.App.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"procflux.web.enabled=true", "procflux.web.actions=classpath:dev/procflux/boot/actions.yaml"})
@DirtiesContext
class NettySendBufferIT {
    private static final int SEND_BUFFER = 256 * 1024;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        @Bean
        NettyServerCustomizer sendBuffer() {
            return server -> server.childOption(ChannelOption.SO_SNDBUF, SEND_BUFFER);
        }
    }

    @LocalServerPort
    int port;

    @Test
    void aNettyServerCustomizerSetsTheSendBufferOfEachConnection() throws Exception {
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.getOutputStream().write("GET /procflux/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader reader = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.US_ASCII));
            assertThat(reader.readLine()).isEqualTo("HTTP/1.1 200 OK");
            List<Integer> buffers = ProcFs.sendBuffers(port);
            // setsockopt caps the value at net.core.wmem_max, and Linux doubles what it sets for its own overhead
            assertThat(buffers).as("the server side of the one connection")
                    .containsExactly(2 * Math.min(SEND_BUFFER, ProcFs.wmemMax()));
        }
    }
}
