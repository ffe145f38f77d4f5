package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.ProcessEngine;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.springframework.context.annotation.AnnotationConfigApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

/** The Spring configuration shown in docs/webflux.md, run in a Spring WebFlux application context. */
@EnabledOnOs(OS.LINUX)
class SpringBeanIT {

    // --- docs/webflux.md: "Inside a Spring WebFlux or Spring Boot application" (keep the two in step)
    @Configuration
    @EnableWebFlux // not needed under Spring Boot, which configures WebFlux itself
    static class ProcfluxConfiguration {
        @Bean(destroyMethod = "close")
        ProcessEngine processEngine() {
            return ProcessEngine.builder().maxConcurrency(8).maxPendingAcquire(64).build();
        }

        @Bean
        ActionRegistry actionRegistry() {
            return ActionRegistry.builder()
                    .add(Action.builder("seq", "seq", "{count}")
                            .description("Print the numbers 1 to count")
                            .parameter(Parameter.integer("count", 1, 1000).defaultValue("10").build())
                            .timeout(Duration.ofSeconds(5))
                            .build())
                    .build();
        }

        @Bean
        RouterFunction<ServerResponse> procfluxRoutes(ProcessEngine engine, ActionRegistry registry) {
            return ActionRoutes.builder(engine, registry).build();
        }
    }
    // --- end of the docs/webflux.md example

    @Test
    void theRoutesWorkAsABeanOfASpringWebFluxApplication() {
        try (AnnotationConfigApplicationContext context =
                new AnnotationConfigApplicationContext(ProcfluxConfiguration.class)) {
            WebTestClient client = WebTestClient.bindToApplicationContext(context).build();
            byte[] body = client.post().uri("/actions/seq?count=3").exchange().expectStatus().isOk()
                    .expectBody(byte[].class).returnResult().getResponseBody();
            assertThat(Json.parse(body).get("stdout").asString()).isEqualTo("1\n2\n3\n");
            client.post().uri("/actions/seq?count=0").exchange().expectStatus().isBadRequest();
            client.get().uri("/health").exchange().expectStatus().isOk();
        }
        Children.awaitNone();
    }
}
