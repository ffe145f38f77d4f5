package dev.procflux.boot;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * A Spring Boot application with graceful shutdown and the test actions, run in its own JVM by
 * {@link BootShutdownIT}. Prints {@code port N} once it serves.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
public class BootShutdownChild {

    /**
     * What the engine did before the auto-configuration: its own JVM shutdown hook, which kills every process at
     * once, concurrently with Spring's shutdown. Only for showing the failure by hand:
     * {@code --procflux.test.engine-shutdown-hook=true}.
     *
     * @return the customizer
     */
    @Bean
    @ConditionalOnProperty("procflux.test.engine-shutdown-hook")
    ProcfluxEngineCustomizer engineShutdownHook() {
        return b -> b.closeOnShutdown(true);
    }

    /**
     * @param args Spring Boot arguments, e.g. {@code --procflux.engine.shutdown-drain=1s}
     */
    public static void main(String[] args) {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(BootShutdownChild.class)
                .properties("server.port=0", "server.address=127.0.0.1", "server.shutdown=graceful",
                        "spring.main.banner-mode=off", "procflux.web.enabled=true",
                        "procflux.web.actions=classpath:dev/procflux/boot/actions.yaml")
                .run(args);
        System.out.println("port " + context.getEnvironment().getProperty("local.server.port"));
        System.out.flush();
    }
}
