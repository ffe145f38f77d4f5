package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** A command's charset applies to its stdin text and its output text, whatever order the command was built in. */
@EnabledOnOs(OS.LINUX)
class CharsetIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private final ProcessEngine engine = ProcessEngine.builder().closeOnShutdown(false).build();

    @AfterEach
    void tearDown() {
        OsProcesses.closeAndAssertClean(engine);
    }

    private static byte[] stdinBytes(Command c) {
        ByteBuffer b = c.stdin().orElseThrow();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void stdinTextIsEncodedWithTheFinalCharsetWhicheverIsSetFirst() {
        Command charsetFirst = Command.of("cat").withCharset(StandardCharsets.ISO_8859_1).withStdin("\u00ff\u00e9");
        Command stdinFirst = Command.of("cat").withStdin("\u00ff\u00e9").withCharset(StandardCharsets.ISO_8859_1);
        assertThat(stdinBytes(charsetFirst)).containsExactly(0xff, 0xe9);
        assertThat(stdinBytes(stdinFirst)).containsExactly(0xff, 0xe9);
        assertThat(stdinBytes(Command.of("cat").withStdin("\u00ff"))).containsExactly(0xc3, 0xbf);
        assertThat(stdinBytes(Command.of("cat").withStdin("\u00ff").withStdin(new byte[] {1})
                .withCharset(StandardCharsets.UTF_16BE))).containsExactly(1);

        ProcessResult r = engine.execute(stdinFirst).block(WAIT);
        assertThat(r.stdout()).containsExactly(0xff, 0xe9);
        assertThat(r.stdoutText()).isEqualTo("\u00ff\u00e9");
    }

    @Test
    void streamedTextDecodesWithTheCommandsCharsetAsTheResultDoes() {
        Command c = Command.of("printf", "\\377\\351").withCharset(StandardCharsets.ISO_8859_1);
        String streamed = engine.stream(c).filter(ProcessOutput::isStdout).map(ProcessOutput::text)
                .collect(Collectors.joining()).block(WAIT);
        String executed = engine.execute(c).block(WAIT).stdoutText();
        assertThat(executed).isEqualTo("\u00ff\u00e9");
        assertThat(streamed).isEqualTo(executed);
    }
}
