package dev.procflux.cli;

import dev.procflux.internal.SurrogateEscape;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM's command-line arguments with their bytes as they are. The JVM decodes {@code main}'s arguments in the
 * platform charset and replaces what does not decode (a file name in Latin-1 under a UTF-8 locale, anything not
 * ASCII under the C locale), so {@code procflux run echo ::: ARG} would pass an altered argument on. The kernel
 * keeps the bytes in {@code /proc/self/cmdline}, whose last entries are {@code main}'s arguments; they are used
 * when each of them decodes, as the JVM decoded it, to the argument the JVM gave, and then carry the bytes that are
 * not UTF-8 as {@code U+DC80..U+DCFF} ({@link SurrogateEscape}).
 */
final class RawCommandLine {
    private RawCommandLine() {
    }

    /** @return {@code args} with their bytes as they are, or {@code args} when {@code /proc} cannot tell them */
    static String[] recover(String[] args) {
        byte[] cmdline;
        try {
            cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        }
        catch (IOException | RuntimeException e) {
            return args; // no /proc (not Linux): the JVM's decoding stands
        }
        Charset platform;
        try {
            platform = Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        }
        catch (RuntimeException e) {
            return args;
        }
        return recover(args, cmdline, platform);
    }

    /**
     * @param args the arguments as the JVM decoded them
     * @param cmdline the process's argv, each entry ending with a NUL byte
     * @param platform the charset the JVM decoded them with
     * @return the arguments from {@code cmdline}, or {@code args} when its last entries are not the arguments
     */
    static String[] recover(String[] args, byte[] cmdline, Charset platform) {
        List<byte[]> entries = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                entries.add(java.util.Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        if (entries.size() < args.length) {
            return args;
        }
        String[] recovered = new String[args.length];
        int first = entries.size() - args.length;
        for (int i = 0; i < args.length; i++) {
            byte[] raw = entries.get(first + i);
            if (!new String(raw, platform).equals(args[i])) {
                return args;
            }
            recovered[i] = SurrogateEscape.decode(raw);
        }
        return recovered;
    }
}
