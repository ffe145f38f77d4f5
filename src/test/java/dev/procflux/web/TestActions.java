package dev.procflux.web;

import java.nio.file.Path;
import java.time.Duration;

/** The actions the web tests run; {@code not-executable} needs a file {@code a.txt} in the base directory. */
final class TestActions {
    private TestActions() {
    }

    static ActionRegistry registry(Path baseDirectory) {
        return ActionRegistry.builder()
                .add(Action.builder("echo", "echo", "{message}")
                        .parameter(Parameter.pattern("message", "[\\w ,.!?-]{0,200}").build())
                        .build())
                .add(Action.builder("printf", "printf", "%s", "{text}")
                        .description("prints its parameter exactly, as one argv element")
                        .parameter(Parameter.pattern("text", "(?s).*").maxLength(64 * 1024).build())
                        .build())
                .add(Action.builder("fail", "sh", "-c", "echo oops >&2; exit 3").build())
                .add(Action.builder("seq", "seq", "{count}")
                        .parameter(Parameter.integer("count", 1, 1000).defaultValue("3").build())
                        .build())
                .add(Action.builder("sleep", "sleep", "10").timeout(Duration.ofMillis(300)).build())
                .add(Action.builder("sleeper", "sleep", "30").timeout(Duration.ofMinutes(1)).build())
                .add(Action.builder("wc", "wc", "-c").stdinFromBody(true).maxBodyBytes(4 * 1024 * 1024).build())
                .add(Action.builder("cat", "cat").stdinFromBody(true).maxBodyBytes(4L * 1024 * 1024)
                        .maxOutputBytes(8 * 1024 * 1024).streamFormat(StreamFormat.RAW).build())
                .add(Action.builder("small-cat", "cat").stdinFromBody(true).maxBodyBytes(1024).build())
                .add(Action.builder("ls", "ls", "-1", "{dir}")
                        .parameter(Parameter.path("dir", baseDirectory).defaultValue(".").build())
                        .build())
                .add(Action.builder("mode", "echo", "{mode}")
                        .parameter(Parameter.oneOf("mode", "fast", "slow").build())
                        .build())
                .add(Action.builder("ticker", "sh", "-c", "while :; do echo x; sleep 0.01; done")
                        .timeout(Duration.ofMinutes(1)).maxOutputBytes(Long.MAX_VALUE).build())
                .add(Action.builder("yes", "yes").timeout(Duration.ofMinutes(1)).maxOutputBytes(Long.MAX_VALUE)
                        .build())
                .add(Action.builder("chatty", "sh", "-c", "printf 'line1\\nline2\\n'; printf 'warn\\n' >&2; exit 2")
                        .build())
                .add(Action.builder("missing", "/nonexistent/procflux-missing").build())
                .add(Action.builder("not-executable", baseDirectory.resolve("a.txt").toString()).build())
                .add(Action.builder("no-directory", "echo", "hi").directory(baseDirectory.resolve("gone")).build())
                .add(Action.builder("raw-fail", "sh", "-c", "printf partial; exit 3").streamFormat(StreamFormat.RAW)
                        .build())
                .add(Action.builder("big", "head", "-c", "100000", "/dev/zero").maxOutputBytes(1000).build())
                .build();
    }
}
