package dev.procflux.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GNU parallel's {@code --halt when,fail=N} or {@code when,fail=P%}: once enough jobs have failed, start no new job;
 * with {@code now} also kill the running ones, with {@code soon} let them finish. {@code never} (the default) runs
 * every job. A percentage is of the jobs started so far. Immutable.
 */
final class HaltPolicy {
    /** What happens to running jobs when the policy triggers. */
    enum When {
        /** Never halt. */
        NEVER,
        /** Start no new job; let running jobs finish. */
        SOON,
        /** Start no new job and kill the running ones. */
        NOW
    }

    static final HaltPolicy NEVER = new HaltPolicy(When.NEVER, 0, false);

    private static final Pattern FORMAT = Pattern.compile("(now|soon),fail=(\\d+)(%?)");

    private final When when;
    private final int threshold;
    private final boolean percent;

    private HaltPolicy(When when, int threshold, boolean percent) {
        this.when = when;
        this.threshold = threshold;
        this.percent = percent;
    }

    /**
     * @param text {@code never}, {@code now,fail=N}, {@code soon,fail=N}, or the same with {@code N%}
     * @return the policy
     * @throws UsageException if the text is not one of those or the number is out of range
     */
    static HaltPolicy parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("never")) {
            return NEVER;
        }
        Matcher m = FORMAT.matcher(t);
        if (!m.matches()) {
            throw new UsageException("--halt must be never, now,fail=N, soon,fail=N or the same with N%, was '"
                    + text + "'");
        }
        When when = m.group(1).equals("now") ? When.NOW : When.SOON;
        boolean percent = !m.group(3).isEmpty();
        int threshold;
        try {
            threshold = Integer.parseInt(m.group(2));
        }
        catch (NumberFormatException e) {
            throw new UsageException("--halt fail count is too large, was '" + text + "'", e);
        }
        if (threshold < 1 || (percent && threshold > 100)) {
            throw new UsageException("--halt fail must be " + (percent ? "1% to 100%" : "at least 1") + ", was '"
                    + text + "'");
        }
        return new HaltPolicy(when, threshold, percent);
    }

    When when() {
        return when;
    }

    /**
     * @param failed jobs failed so far
     * @param started jobs started so far (including the failed ones)
     * @return whether to halt now
     */
    boolean shouldHalt(long failed, long started) {
        if (when == When.NEVER || failed == 0) {
            return false;
        }
        return percent ? failed * 100 >= (long) threshold * Math.max(started, 1) : failed >= threshold;
    }

    @Override
    public String toString() {
        return when == When.NEVER ? "never" : when.name().toLowerCase(Locale.ROOT) + ",fail=" + threshold
                + (percent ? "%" : "");
    }
}
