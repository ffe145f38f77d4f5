package dev.procflux.internal;

/**
 * Range checks for arguments, with one message format: the argument's name, the rule and the rejected value
 * ({@code "maxLineBytes must be >= 1, was 0"}). Each method returns its value, so a check fits in an assignment.
 */
final class Arguments {
    private Arguments() {
    }

    /** @throws IllegalArgumentException if {@code value < min} */
    static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException if {@code value} is outside {@code min..max} (both included) */
    static long between(long value, long min, long max, String name) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
        return value;
    }
}
