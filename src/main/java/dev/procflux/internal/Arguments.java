package dev.procflux.internal;

import dev.procflux.ProcessEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Range checks for arguments, with one message format: the argument's name, the rule and the rejected value
 * ({@code "maxLineBytes must be >= 1, was 0"}). Each method returns its value, so a check fits in an assignment.
 * A null argument fails with {@link NullPointerException} naming it; a value out of range with
 * {@link IllegalArgumentException}.
 *
 * <p>"No limit" is spelled the same way for every setting: any negative value, normalised here to
 * {@link ProcessEngine.Builder#NO_LIMIT} or {@link ProcessEngine.Builder#NO_LIMIT_TIME}.
 *
 * <p>Public only so that the API's builders can share it; not API.
 */
public final class Arguments {
    private Arguments() {
    }

    /**
     * @param value the value
     * @param min the least value allowed
     * @param name the argument's name
     * @return {@code value}
     * @throws IllegalArgumentException if {@code value < min}
     */
    public static int atLeast(int value, int min, String name) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be >= " + min + ", was " + value);
        }
        return value;
    }

    /**
     * @param value the value
     * @param min the least value allowed
     * @param name the argument's name
     * @return {@code value}
     * @throws IllegalArgumentException if {@code value < min}
     */
    public static long atLeast(long value, long min, String name) {
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

    /**
     * @param value the value: zero (none) or positive, negative for no limit
     * @return {@code value}, or {@link ProcessEngine.Builder#NO_LIMIT} if it is negative
     */
    public static int countOrNoLimit(int value) {
        return Math.max(value, ProcessEngine.Builder.NO_LIMIT);
    }

    /**
     * @param value the value: zero or positive
     * @param name the argument's name
     * @return {@code value}
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is negative
     */
    public static Duration nonNegative(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, was " + value);
        }
        return value;
    }

    /**
     * @param value the value: zero (at once) or positive, negative for no limit
     * @param name the argument's name
     * @return {@code value}, or {@link ProcessEngine.Builder#NO_LIMIT_TIME} if it is negative
     * @throws NullPointerException if {@code value} is null
     */
    public static Duration orNoLimit(Duration value, String name) {
        Objects.requireNonNull(value, name);
        return value.isNegative() ? ProcessEngine.Builder.NO_LIMIT_TIME : value;
    }

    /**
     * For a limit for which "at once" makes no sense.
     *
     * @param value the value: positive, or negative for no limit
     * @param name the argument's name
     * @return {@code value}, or {@link ProcessEngine.Builder#NO_LIMIT_TIME} if it is negative
     * @throws NullPointerException if {@code value} is null
     * @throws IllegalArgumentException if {@code value} is zero
     */
    public static Duration positiveOrNoLimit(Duration value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, or negative for no limit, was " + value);
        }
        return orNoLimit(value, name);
    }

    /**
     * @param values the list
     * @param name the argument's name
     * @param <T> the element type
     * @return an unmodifiable copy of {@code values}
     * @throws NullPointerException if {@code values} or an element is null, naming it ({@code "argv[2]"})
     */
    public static <T> List<T> copyOfNonNull(List<T> values, String name) {
        Objects.requireNonNull(values, name);
        List<T> copy = new ArrayList<>(values.size());
        for (int i = 0; i < values.size(); i++) {
            T value = values.get(i);
            if (value == null) {
                throw new NullPointerException(name + "[" + i + "]");
            }
            copy.add(value);
        }
        return Collections.unmodifiableList(copy);
    }
}
