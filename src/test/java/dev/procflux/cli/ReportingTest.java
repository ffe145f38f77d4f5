package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.procflux.Command;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReportingTest {

    private static Job job(long number, String line) {
        return Job.runnable(number, number, line, Command.shell(line).commandLine(), Command.shell(line));
    }

    @Test
    void joblogLinesFollowGnuParallelsColumnLayout() {
        JobOutcome o = new JobOutcome(job(3, "exit 4"), JobOutcome.Status.FAILED, 4, 0, new byte[0], new byte[0],
                1_700_000_000_123L, TimeUnit.MILLISECONDS.toNanos(2_500), 1, null);
        assertThat(JobLog.HEADER.split("\t")).containsExactly("Seq", "Host", "Starttime", "JobRuntime", "Send",
                "Receive", "Exitval", "Signal", "Command");
        assertThat(JobLog.line(o)).isEqualTo("3\t:\t1700000000.123\t     2.500\t0\t0\t4\t0\tsh -c 'exit 4'");
    }

    @Test
    void theSummaryCountsEachKindOfEndingAndTheRate() {
        Counters c = new Counters();
        for (JobOutcome.Status s : new JobOutcome.Status[] {JobOutcome.Status.SUCCEEDED, JobOutcome.Status.SUCCEEDED,
                JobOutcome.Status.FAILED, JobOutcome.Status.TIMED_OUT, JobOutcome.Status.INVALID}) {
            c.jobRead();
            c.jobStarted();
            c.jobFinished(JobOutcome.withoutOutput(job(1, "true"), s, 0, 0, 0, 0, 1, "m"));
        }
        c.inputComplete();
        assertThat(c.failed()).isEqualTo(3);
        assertThat(c.summary(TimeUnit.SECONDS.toNanos(2)))
                .isEqualTo("5 jobs in 2.00s (2.5/s): 2 succeeded, 3 failed (1 timed out, 1 invalid)");
    }

    @Test
    void theProgressBarShowsDoneRunningFailedRateAndEta() {
        Counters c = new Counters();
        c.knownTotal(8);
        for (int i = 0; i < 6; i++) {
            c.jobStarted();
        }
        for (int i = 0; i < 4; i++) {
            c.jobFinished(JobOutcome.withoutOutput(job(1, "true"), JobOutcome.Status.SUCCEEDED, 0, 0, 0, 0, 1, "m"));
        }
        assertThat(StatusLine.render(c, TimeUnit.SECONDS.toNanos(2)))
                .isEqualTo("[############............] 4/8 done, 2 running, 0 failed, 2.0/s, ETA 2s");
    }
}
