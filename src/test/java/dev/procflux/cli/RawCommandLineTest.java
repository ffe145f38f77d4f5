package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RawCommandLineTest {
    private static byte[] cmdline(byte[]... entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] e : entries) {
            out.writeBytes(e);
            out.write(0);
        }
        return out.toByteArray();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theLastEntriesOfTheKernelsArgvGiveTheArgumentsTheirBytesBack() {
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9};
        byte[] cmdline = cmdline(utf8("java"), utf8("-jar"), utf8("procflux.jar"), utf8("run"), latin1, utf8("é"),
                new byte[0]);
        String[] decodedByTheJvm = {"run", "caf\uFFFD", "é", ""};
        assertThat(RawCommandLine.recover(decodedByTheJvm, cmdline, StandardCharsets.UTF_8))
                .containsExactly("run", "caf\uDCE9", "é", "");
    }

    @Test
    void underAnAsciiLocaleUtf8ArgumentsAreRecoveredToo() {
        Charset ascii = StandardCharsets.US_ASCII;
        byte[] cmdline = cmdline(utf8("java"), utf8("run"), utf8("grüße"));
        String decodedByTheJvm = new String(utf8("grüße"), ascii);
        assertThat(RawCommandLine.recover(new String[] {"run", decodedByTheJvm}, cmdline, ascii))
                .containsExactly("run", "grüße");
    }

    @Test
    void argumentsThatDoNotMatchTheKernelsArgvAreKeptAsTheJvmGaveThem() {
        byte[] cmdline = cmdline(utf8("java"), utf8("run"), utf8("other"));
        String[] args = {"run", "caf\uFFFD"};
        assertThat(RawCommandLine.recover(args, cmdline, StandardCharsets.UTF_8)).isSameAs(args);
        assertThat(RawCommandLine.recover(new String[] {"a", "b", "c", "d"}, cmdline, StandardCharsets.UTF_8))
                .containsExactly("a", "b", "c", "d");
    }
}
