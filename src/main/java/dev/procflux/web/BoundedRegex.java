package dev.procflux.web;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Whole-value regular expression matching with a bounded cost, so that a pattern prone to catastrophic
 * backtracking ({@code (.*a){10}}) cannot hold a network thread: the matcher reads the value through a
 * {@link CharSequence} that counts its reads and gives up after {@link #maxSteps()} of them. A backtracking
 * matcher reads characters again on every retry, so the count bounds its work; linear patterns on values of
 * {@link Parameter#maxLength()} characters stay far below the budget.
 *
 * <p>Immutable and thread-safe.
 */
final class BoundedRegex {
    /** Default for {@link #maxSteps()}: a few milliseconds of matching on one core. */
    static final long DEFAULT_MAX_STEPS = 1_000_000;

    private final Pattern pattern;
    private final long maxSteps;

    BoundedRegex(Pattern pattern, long maxSteps) {
        this.pattern = Objects.requireNonNull(pattern, "pattern");
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be >= 1, was " + maxSteps);
        }
        this.maxSteps = maxSteps;
    }

    long maxSteps() {
        return maxSteps;
    }

    /** Thrown when matching takes more than {@link #maxSteps()} character reads. */
    static final class BudgetExceededException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BudgetExceededException(long steps) {
            super("matching gave up after " + steps + " steps", null, false, false);
        }
    }

    /**
     * @param value the value
     * @return whether the whole value matches
     * @throws BudgetExceededException if matching would take more than {@link #maxSteps()} steps
     */
    boolean matches(String value) {
        return pattern.matcher(new CountingSequence(value, 0, value.length(), new long[] {maxSteps})).matches();
    }

    /** A view of a string whose reads draw on a shared budget. Used by one matcher on one thread. */
    private static final class CountingSequence implements CharSequence {
        private final String s;
        private final int start;
        private final int end;
        private final long[] left;
        private final long budget;

        CountingSequence(String s, int start, int end, long[] left) {
            this.s = s;
            this.start = start;
            this.end = end;
            this.left = left;
            this.budget = left[0];
        }

        @Override
        public char charAt(int index) {
            if (--left[0] < 0) {
                throw new BudgetExceededException(budget);
            }
            return s.charAt(start + index);
        }

        @Override
        public int length() {
            return end - start;
        }

        @Override
        public CharSequence subSequence(int from, int to) {
            return new CountingSequence(s, start + from, start + to, left);
        }

        @Override
        public String toString() {
            return s.substring(start, end);
        }
    }

    /**
     * Whether {@code regex} repeats a group that itself contains a repetition ({@code (a+)+}, {@code (.*a){10}}):
     * the shape that makes a backtracking matcher exponential. A heuristic for a warning, not a proof.
     *
     * @param regex the expression
     * @return whether a quantified group contains a quantifier
     */
    static boolean hasNestedQuantifier(String regex) {
        Deque<boolean[]> groups = new ArrayDeque<>(); // per open group: whether it contains a quantifier
        boolean closedGroupHadQuantifier = false;
        boolean inClass = false;
        for (int i = 0; i < regex.length(); i++) {
            char c = regex.charAt(i);
            boolean afterGroup = closedGroupHadQuantifier;
            closedGroupHadQuantifier = false;
            if (c == '\\') {
                i++;
                continue;
            }
            if (inClass) {
                inClass = c != ']';
                continue;
            }
            switch (c) {
                case '[':
                    inClass = true;
                    break;
                case '(':
                    groups.push(new boolean[1]);
                    break;
                case ')':
                    boolean[] inner = groups.isEmpty() ? new boolean[1] : groups.pop();
                    closedGroupHadQuantifier = inner[0];
                    if (inner[0] && !groups.isEmpty()) {
                        groups.peek()[0] = true;
                    }
                    break;
                case '*':
                case '+':
                case '{':
                    if (afterGroup && (c != '{' || !isBoundedByOne(regex, i))) {
                        return true;
                    }
                    if (!groups.isEmpty() && (c != '{' || !isBoundedByOne(regex, i))) {
                        groups.peek()[0] = true;
                    }
                    break;
                case '?':
                    // a lazy or possessive suffix after a quantifier keeps the group's state
                    closedGroupHadQuantifier = false;
                    break;
                default:
                    break;
            }
        }
        return false;
    }

    /** Whether the {@code {...}} quantifier at {@code i} repeats at most once ({@code {0,1}}, {@code {1}}). */
    private static boolean isBoundedByOne(String regex, int i) {
        int close = regex.indexOf('}', i);
        if (close < 0) {
            return false;
        }
        String body = regex.substring(i + 1, close);
        return body.equals("1") || body.equals("0,1") || body.equals("1,1") || body.equals("0");
    }
}
