package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PoolEventsTest {
    private final PoolEvents events = new PoolEvents() {
    };

    @Test
    void theSlotPoolEventsAreKeptByTheEngineOptionsAndTheirBuilder() {
        EngineOptions options = ProcessEngine.builder().addSlotPoolEvents(events).buildOptions();
        assertThat(options.slotPoolEvents()).isSameAs(events);
        assertThat(options.toBuilder().buildOptions().slotPoolEvents()).isSameAs(events);
        assertThat(ProcessEngine.builder().buildOptions().slotPoolEvents()).isSameAs(PoolEvents.NONE);
    }

    @Test
    void aWorkerPoolsEventsSurviveAProtocolChangeAndToBuilder() {
        WorkerPoolOptions<byte[], byte[]> options = WorkerPool.builder(Command.of("cat")).addPoolEvents(events)
                .protocol(WorkerProtocol.lengthPrefixed()).buildOptions();
        assertThat(options.poolEvents()).isSameAs(events);
        assertThat(options.toBuilder().buildOptions().poolEvents()).isSameAs(events);
        assertThat(WorkerPool.builder(Command.of("cat")).buildOptions().poolEvents()).isSameAs(PoolEvents.NONE);
    }

    @Test
    void nullEventsAreRejectedNamingTheOption() {
        assertThatThrownBy(() -> ProcessEngine.builder().addSlotPoolEvents(null))
                .isInstanceOf(NullPointerException.class).hasMessage("slotPoolEvents");
        assertThatThrownBy(() -> WorkerPool.builder(Command.of("cat")).addPoolEvents(null))
                .isInstanceOf(NullPointerException.class).hasMessage("poolEvents");
    }
}
