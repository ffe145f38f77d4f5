package dev.procflux.cli;

import dev.procflux.internal.SurrogateEscape;
import java.io.PrintStream;
import org.jspecify.annotations.Nullable;

/**
 * The one-line messages of the command line on stderr ({@code procflux run: MESSAGE}). Arguments, file names and
 * command lines reach messages as they were given, raw bytes included ({@code U+DC80..U+DCFF}, see
 * {@link SurrogateEscape}); a message shows each such byte as {@code \xNN} (two lower-case hex digits), as a shell's
 * {@code $'…'} quoting would, so that it says which bytes were meant. UTF-8 text is shown as it is.
 */
final class Diagnostics {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Diagnostics() {
    }

    /**
     * @param text a message, possibly quoting raw bytes
     * @return {@code text} with each raw byte written {@code \xNN}
     */
    static String visible(String text) {
        if (!SurrogateEscape.hasEscapes(text)) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (SurrogateEscape.isEscape(text, i)) {
                int raw = c - '\uDC80' + 0x80;
                b.append("\\x").append(HEX[raw >> 4]).append(HEX[raw & 0xf]);
            }
            else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** Writes {@code PROGRAM: MESSAGE} as one line, raw bytes shown as {@code \xNN}. */
    static void print(PrintStream err, String program, @Nullable String message) {
        err.println(program + ": " + visible(String.valueOf(message)));
    }
}
