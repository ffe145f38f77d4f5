package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HaltPolicyTest {

    @Test
    void nowWithACountHaltsOnceThatManyJobsFailed() {
        HaltPolicy p = HaltPolicy.parse("now,fail=1");
        assertThat(p.when()).isEqualTo(HaltPolicy.When.NOW);
        assertThat(p.shouldHalt(0, 10)).isFalse();
        assertThat(p.shouldHalt(1, 10)).isTrue();
        assertThat(p).hasToString("now,fail=1");
    }

    @Test
    void soonWithAPercentageHaltsOnceThatShareOfStartedJobsFailed() {
        HaltPolicy p = HaltPolicy.parse("soon,fail=10%");
        assertThat(p.when()).isEqualTo(HaltPolicy.When.SOON);
        assertThat(p.shouldHalt(1, 20)).isFalse();
        assertThat(p.shouldHalt(2, 20)).isTrue();
        assertThat(p.shouldHalt(1, 10)).isTrue();
        assertThat(p).hasToString("soon,fail=10%");
    }

    @Test
    void neverNeverHalts() {
        assertThat(HaltPolicy.parse("never").shouldHalt(1000, 1000)).isFalse();
        assertThat(HaltPolicy.parse("never")).isSameAs(HaltPolicy.NEVER);
    }

    @Test
    void rejectsUnknownPoliciesWithTheAcceptedForms() {
        assertThatThrownBy(() -> HaltPolicy.parse("now,success=1"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--halt must be never, now,fail=N, soon,fail=N or the same with N%, was 'now,success=1'");
    }

    @Test
    void rejectsZeroAndPercentagesAboveAHundred() {
        assertThatThrownBy(() -> HaltPolicy.parse("now,fail=0"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--halt fail must be at least 1, was 'now,fail=0'");
        assertThatThrownBy(() -> HaltPolicy.parse("soon,fail=101%"))
                .isInstanceOf(UsageException.class)
                .hasMessage("--halt fail must be 1% to 100%, was 'soon,fail=101%'");
    }
}
