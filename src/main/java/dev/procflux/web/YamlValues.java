package dev.procflux.web;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The values of a parsed YAML document (maps, lists and scalars as snakeyaml-engine builds them) checked and
 * coerced to what a setting takes; each refusal is an {@link IllegalArgumentException} that names the key.
 */
final class YamlValues {
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

    private YamlValues() {
    }

    /** @throws IllegalArgumentException naming the first key of {@code spec} that is not {@code allowed} */
    static void checkKeys(Map<?, ?> spec, Set<String> allowed, String what) {
        for (Object key : spec.keySet()) {
            if (!allowed.contains(String.valueOf(key))) {
                throw new IllegalArgumentException("unknown " + what + " key '" + key + "'; expected one of "
                        + allowed.stream().sorted().toList());
            }
        }
    }

    static Map<?, ?> map(@Nullable Object o, String what) {
        if (!(o instanceof Map)) {
            throw new IllegalArgumentException(what + " must be a mapping");
        }
        return (Map<?, ?>) o;
    }

    /** A string, number or boolean, as text. */
    static String scalar(@Nullable Object o, String what) {
        if (o instanceof String || o instanceof Number || o instanceof Boolean) {
            return o.toString();
        }
        throw new IllegalArgumentException("'" + what + "' must be a string");
    }

    static boolean bool(@Nullable Object o, String what) {
        if (o instanceof Boolean) {
            return (Boolean) o;
        }
        throw new IllegalArgumentException("'" + what + "' must be true or false, was " + shown(o));
    }

    /** A value as the file spelled it: a string quoted, anything else as is. */
    private static String shown(@Nullable Object o) {
        return o instanceof String ? "'" + o + "'" : String.valueOf(o);
    }

    static long number(@Nullable Object o, String what) {
        if (o instanceof Integer || o instanceof Long) {
            return ((Number) o).longValue();
        }
        if (o instanceof BigInteger) {
            if (((BigInteger) o).bitLength() > 63) {
                throw new IllegalArgumentException("'" + what + "' is out of range: " + o);
            }
            return ((BigInteger) o).longValue();
        }
        throw new IllegalArgumentException("'" + what + "' must be an integer, was " + shown(o));
    }

    static int integer(@Nullable Object o, String what) {
        long n = number(o, what);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + what + "' is too large: " + n);
        }
        return (int) n;
    }

    /**
     * {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}.
     *
     * @throws IllegalArgumentException naming {@code what} and the value
     */
    static Duration duration(@Nullable Object o, String what) {
        String text = scalar(o, what);
        try {
            return duration(text);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + what + "': " + e.getMessage(), e);
        }
    }

    /** {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}. */
    static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("a duration must look like 500ms, 30s, 2m or 1h, was '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            default:
                return Duration.ofHours(n);
        }
    }
}
