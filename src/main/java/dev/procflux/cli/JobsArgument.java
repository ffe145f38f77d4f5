package dev.procflux.cli;

/** Parses {@code -j}'s value as GNU parallel does: {@code N}, {@code +N} and {@code -N} (CPUs plus or minus N), {@code P%} of the CPUs. */
final class JobsArgument {
    private JobsArgument() {
    }

    /**
     * @param option the option name, for the message
     * @param text what the user typed
     * @param cpus the CPU count the relative forms refer to
     * @return the number of job slots: 0 for no limit, otherwise at least 1 (a relative form never gives less)
     * @throws UsageException if the text is none of these forms
     */
    static int parse(String option, String text, int cpus) {
        String t = text.trim();
        try {
            if (t.endsWith("%")) {
                return Math.max(1, (int) ((long) cpus * percent(option, t) / 100));
            }
            if (t.startsWith("+")) {
                return Math.addExact(cpus, Integer.parseInt(t.substring(1)));
            }
            if (t.startsWith("-")) {
                return Math.max(1, cpus - Integer.parseInt(t.substring(1)));
            }
            int n = Integer.parseInt(t);
            if (n >= 0) {
                return n;
            }
        }
        catch (NumberFormatException | ArithmeticException e) {
            throw new UsageException(message(option, text), e);
        }
        throw new UsageException(message(option, text));
    }

    /** @return the whole percentage of {@code P%}, at least 1 */
    static int percent(String option, String text) {
        String t = text.trim();
        try {
            int p = Integer.parseInt(t.substring(0, t.length() - 1));
            if (t.endsWith("%") && p >= 1) {
                return p;
            }
        }
        catch (NumberFormatException e) {
            throw new UsageException(option + " must be a whole percentage such as 200%, was '" + text + "'", e);
        }
        throw new UsageException(option + " must be a whole percentage such as 200%, was '" + text + "'");
    }

    private static String message(String option, String text) {
        return option + " must be N, +N, -N (CPUs plus or minus N) or P% (of the CPUs), was '" + text + "'";
    }
}
