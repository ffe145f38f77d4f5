package dev.procflux.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The parameters of a query string, decoded strictly: {@code application/x-www-form-urlencoded} rules
 * ({@code +} is a space, {@code %XX} a byte), then UTF-8 that must be well-formed. A malformed escape, a byte
 * sequence that is not UTF-8 (an encoded lone surrogate such as {@code %ED%A0%80} included) or a repeated name is
 * refused rather than replaced with {@code U+FFFD} or {@code ?}: a program must receive exactly what the client
 * meant, or nothing.
 */
final class QueryString {
    private QueryString() {
    }

    /**
     * @param rawQuery the query as sent, without {@code ?}; {@code null} for none
     * @return the parameters by name, in order; a name without {@code =} has the value {@code ""}
     * @throws InvalidParameterException if the query is malformed or names a parameter twice
     */
    static Map<String, String> parse(@Nullable String rawQuery) {
        Map<String, String> values = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return values;
        }
        for (String pair : rawQuery.split("&", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode("", eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(name, pair.substring(eq + 1));
            if (values.putIfAbsent(name, value) != null) {
                throw new InvalidParameterException(shorten(name), "repeated", "parameter '" + shorten(name)
                        + "' is given more than once");
            }
        }
        return values;
    }

    /**
     * @param name the parameter's name, for the message
     * @param value a decoded value
     * @return {@code value}, if it is well-formed UTF-16 (no lone surrogate)
     * @throws InvalidParameterException if it is not
     */
    static String wellFormed(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            }
            else if (Character.isSurrogate(c)) {
                throw notUtf(name, "a lone surrogate at index " + i);
            }
        }
        return value;
    }

    private static String decode(String name, String raw) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '+') {
                bytes.write(' ');
            }
            else if (c == '%') {
                int hi = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(raw.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw notUtf(name, "a malformed %-escape at index " + i);
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            }
            else if (c < 0x80) {
                bytes.write(c);
            }
            else {
                // a raw non-ASCII character in the request line: take it as the server received it
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        }
        catch (CharacterCodingException e) {
            throw notUtf(name, "bytes that are not UTF-8");
        }
    }

    private static InvalidParameterException notUtf(String name, String what) {
        String shown = shorten(name);
        return new InvalidParameterException(shown, "encoding", (shown.isEmpty() ? "a parameter name"
                : "parameter '" + shown + "'") + " contains " + what + "; values must be well-formed UTF-8");
    }

    private static String shorten(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
