package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One rule for every limit: zero means none or at once, a negative value means no limit. */
class LimitsTest {

    @Test
    void theEngineDefaultsToNoAcquireTimeoutAndABoundedQueue() {
        EngineOptions o = ProcessEngine.builder().buildOptions();
        assertThat(o.acquireTimeout()).isEqualTo(ProcessEngine.Builder.NO_LIMIT_TIME);
        assertThat(o.maxPendingAcquire()).isEqualTo(1024);
    }

    @Test
    void anyNegativeValueMeansNoLimitAndIsReportedAsTheCanonicalOne() {
        EngineOptions o = ProcessEngine.builder().maxPendingAcquire(-7).acquireTimeout(Duration.ofMinutes(-3))
                .buildOptions();
        assertThat(o.maxPendingAcquire()).isEqualTo(ProcessEngine.Builder.NO_LIMIT);
        assertThat(o.acquireTimeout()).isEqualTo(ProcessEngine.Builder.NO_LIMIT_TIME);

        WorkerPoolOptions<String, String> w = WorkerPool.builder(Command.of("cat")).maxPendingAcquire(-2)
                .maxRequestsPerWorker(-5).evictionIdle(Duration.ofSeconds(-9)).maxLifetime(Duration.ofNanos(-1))
                .requestTimeout(Duration.ofSeconds(-30)).buildOptions();
        assertThat(w.maxPendingAcquire()).isEqualTo(-1);
        assertThat(w.maxRequestsPerWorker()).isEqualTo(-1);
        assertThat(w.evictionIdle()).isEqualTo(ProcessEngine.Builder.NO_LIMIT_TIME);
        assertThat(w.maxLifetime()).isEqualTo(ProcessEngine.Builder.NO_LIMIT_TIME);
        assertThat(w.requestTimeout()).isEqualTo(ProcessEngine.Builder.NO_LIMIT_TIME);
        assertThat(Command.of("true").withTimeout(Duration.ofSeconds(5)).withTimeout(Duration.ofSeconds(-1))
                .timeout()).isEmpty();
    }

    @Test
    void theWorkerPoolDefaultsToNoLimitForRecyclingAndEviction() {
        WorkerPoolOptions<String, String> w = WorkerPool.builder(Command.of("cat")).buildOptions();
        assertThat(w.maxRequestsPerWorker()).isEqualTo(ProcessEngine.Builder.NO_LIMIT);
        assertThat(w.evictionIdle()).isEqualTo(ProcessEngine.Builder.NO_LIMIT_TIME);
        assertThat(w.maxLifetime()).isEqualTo(ProcessEngine.Builder.NO_LIMIT_TIME);
        assertThat(w.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void zeroMeansNoneOrAtOnceWhereThatMeansSomething() {
        assertThat(ProcessEngine.builder().maxPendingAcquire(0).acquireTimeout(Duration.ZERO)
                .killGracePeriod(Duration.ZERO).buildOptions())
                .satisfies(o -> {
                    assertThat(o.maxPendingAcquire()).isZero();
                    assertThat(o.acquireTimeout()).isZero();
                    assertThat(o.killGracePeriod()).isZero();
                });
        assertThat(WorkerPool.builder(Command.of("cat")).evictionIdle(Duration.ZERO).maxPendingAcquire(0)
                .buildOptions().evictionIdle()).isZero();
    }

    @Test
    void settingsWhereZeroOrNoLimitMakeNoSenseRejectItNamingTheOptionAndTheValue() {
        WorkerPool.Builder<String, String> w = WorkerPool.builder(Command.of("cat"));
        assertThatThrownBy(() -> w.maxRequestsPerWorker(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRequestsPerWorker must be positive, or negative for no limit, was 0");
        assertThatThrownBy(() -> w.requestTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("requestTimeout must be positive, or negative for no limit, was PT0S");
        assertThatThrownBy(() -> w.startBackoff(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("startBackoff must be >= 0, was PT-0.001S");
        assertThatThrownBy(() -> ProcessEngine.builder().killGracePeriod(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("killGracePeriod must be >= 0, was PT-1S");
        assertThatThrownBy(() -> ProcessEngine.builder().maxConcurrency(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("maxConcurrency must be >= 1, was -1");
        assertThatThrownBy(() -> Command.of("true").withTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timeout must be positive, or negative for no timeout, was PT0S");
    }
}
