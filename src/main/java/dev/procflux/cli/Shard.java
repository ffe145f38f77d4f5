package dev.procflux.cli;

import java.util.Locale;
import java.util.Map;

/**
 * {@code --shard K/N}: this run takes the jobs whose number, less one, is K modulo N (K counts from 0, as
 * Kubernetes' {@code JOB_COMPLETION_INDEX}); {@code auto} reads K from {@code JOB_COMPLETION_INDEX} and N from
 * {@code JOB_COMPLETION_COUNT}.
 *
 * @param index K, from 0
 * @param count N, at least 1
 */
record Shard(int index, int count) {
    static Shard parse(String text, Map<String, String> env) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        String k;
        String n;
        String from;
        if (value.equals("auto")) {
            k = env.get("JOB_COMPLETION_INDEX");
            n = env.get("JOB_COMPLETION_COUNT");
            if (k == null || n == null) {
                throw new UsageException("--shard auto needs JOB_COMPLETION_INDEX and JOB_COMPLETION_COUNT in the "
                        + "environment, found JOB_COMPLETION_INDEX=" + k + " JOB_COMPLETION_COUNT=" + n);
            }
            from = "JOB_COMPLETION_INDEX=" + k + " JOB_COMPLETION_COUNT=" + n;
        }
        else {
            int slash = value.indexOf('/');
            if (slash < 0) {
                throw new UsageException("--shard must be K/N (K from 0 to N-1) or auto, was '" + text + "'");
            }
            k = value.substring(0, slash);
            n = value.substring(slash + 1);
            from = "'" + text + "'";
        }
        try {
            int index = Integer.parseInt(k.trim());
            int count = Integer.parseInt(n.trim());
            if (count >= 1 && index >= 0 && index < count) {
                return new Shard(index, count);
            }
        }
        catch (NumberFormatException e) {
            throw new UsageException("--shard must be K/N with 0 <= K < N, was " + from, e);
        }
        throw new UsageException("--shard must be K/N with 0 <= K < N, was " + from);
    }

    /** @return whether the job numbered {@code jobNumber} (from 1) belongs to this shard */
    boolean contains(long jobNumber) {
        return (jobNumber - 1) % count == index;
    }
}
