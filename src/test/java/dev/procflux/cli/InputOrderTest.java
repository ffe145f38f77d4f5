package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.procflux.Command;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@code -k}: ended jobs handed on in input order, and admission bounded by the window. */
class InputOrderTest {

    private static JobOutcome outcome(long number) {
        Job job = Job.runnable(number, number, "true", "true", Command.of("true"));
        return JobOutcome.withoutOutput(job, JobOutcome.Status.SUCCEEDED, 0, 0, 0, 0, 1, "m");
    }

    private static List<Long> numbers(List<JobOutcome> outcomes) {
        return outcomes.stream().map(o -> o.job().number()).toList();
    }

    @Test
    void anEndedJobWaitsForEveryOlderOneAndTheOldestGoesOnTheMomentItEnds() {
        InputOrder order = new InputOrder(8);
        assertThat(order.ended(2, outcome(3))).isEmpty();
        assertThat(order.ended(1, null)).isEmpty();
        assertThat(order.waiting()).isEqualTo(2);
        assertThat(numbers(order.ended(0, outcome(1)))).containsExactly(1L, 3L);
        assertThat(numbers(order.ended(3, outcome(4)))).containsExactly(4L);
        assertThat(order.waiting()).isZero();
        assertThat(order.rest()).isEmpty();
    }

    @Test
    void aJobAWindowAheadOfTheOldestUnwrittenOneIsAdmittedOnlyOnceThatIsWritten() {
        InputOrder order = new InputOrder(2);
        assertThat(order.admit(1).toFuture()).isDone();
        CompletableFuture<Void> third = order.admit(2).toFuture();
        assertThat(third).isNotDone();
        assertThat(order.ended(1, outcome(2))).isEmpty();
        assertThat(third).isNotDone();
        assertThat(numbers(order.ended(0, outcome(1)))).containsExactly(1L, 2L);
        assertThat(third).isDone();
    }

    @Test
    void severalJobsAWindowAheadAreAdmittedInOrderAsTheOldestOnesAreWritten() {
        InputOrder order = new InputOrder(1);
        CompletableFuture<Void> second = order.admit(1).toFuture();
        CompletableFuture<Void> third = order.admit(2).toFuture();
        assertThat(second).isNotDone();
        assertThat(third).isNotDone();
        assertThat(numbers(order.ended(0, outcome(1)))).containsExactly(1L);
        assertThat(second).isDone();
        assertThat(third).isNotDone();
        assertThat(numbers(order.ended(1, outcome(2)))).containsExactly(2L);
        assertThat(third).isDone();
    }

    @Test
    void aCancelledAdmissionIsForgotten() {
        InputOrder order = new InputOrder(1);
        CompletableFuture<Void> second = order.admit(1).toFuture();
        second.cancel(true);
        assertThat(numbers(order.ended(0, outcome(1)))).containsExactly(1L);
        assertThat(order.admit(1).toFuture()).isDone();
    }

    @Test
    void theWindowMustHoldAtLeastOneJob() {
        assertThatThrownBy(() -> new InputOrder(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("window must be >= 1, was 0");
    }
}
