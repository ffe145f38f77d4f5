package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.internal.SurrogateEscape;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DiagnosticsTest {
    @Test
    void everyRawByteIsShownAsTwoHexDigits() {
        for (int b = 0x80; b <= 0xff; b++) {
            String raw = SurrogateEscape.decode(new byte[] {'a', (byte) b, 'z'});
            assertThat(Diagnostics.visible(raw)).isEqualTo(String.format("a\\x%02xz", b));
        }
    }

    @Test
    void utf8TextAndPairedSurrogatesAreShownAsTheyAre() {
        String text = "gr\u00fc\u00dfe \uD83D\uDE00 \\x41";
        assertThat(Diagnostics.visible(text)).isSameAs(text);
    }

    @Test
    void aMessageIsOneLineWithTheProgramsPrefix() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Diagnostics.print(new PrintStream(err, true, StandardCharsets.UTF_8), "procflux run",
                "cannot read " + SurrogateEscape.decode(new byte[] {'c', 'a', 'f', (byte) 0xe9}));
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("procflux run: cannot read caf\\xe9\n");
    }
}
