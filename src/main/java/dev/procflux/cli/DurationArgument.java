package dev.procflux.cli;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the durations users type: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, or plain seconds ({@code 1.5}). */
final class DurationArgument {
    private static final Pattern FORMAT = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h)?");

    private DurationArgument() {
    }

    /**
     * @param option the option name, for the message
     * @param text what the user typed
     * @return a positive duration, at millisecond precision
     * @throws UsageException if the text is not a duration or is zero
     */
    static Duration parse(String option, String text) {
        Matcher m = FORMAT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException(option + " must be a duration such as 500ms, 30s, 2m, 1h or plain seconds, was '"
                    + text + "'");
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        BigDecimal millisPerUnit;
        switch (unit) {
            case "ms":
                millisPerUnit = BigDecimal.ONE;
                break;
            case "s":
                millisPerUnit = BigDecimal.valueOf(1_000);
                break;
            case "m":
                millisPerUnit = BigDecimal.valueOf(60_000);
                break;
            default:
                millisPerUnit = BigDecimal.valueOf(3_600_000);
        }
        long millis;
        try {
            millis = amount.multiply(millisPerUnit).setScale(0, RoundingMode.HALF_UP).longValueExact();
        }
        catch (ArithmeticException e) {
            throw new UsageException(option + " is too large, was '" + text + "'", e);
        }
        if (millis <= 0) {
            throw new UsageException(option + " must be at least 1ms, was '" + text + "'");
        }
        return Duration.ofMillis(millis);
    }

    /** Formats like the input: {@code 1s}, {@code 1500ms}. */
    static String format(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
