package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The figures the engine's budget is shared by: the pipe every stream may have, and who holds the most. */
class StreamMarksTest {
    private static final long MIB = 1L << 20;

    @Test
    void theFairPipeIsTheLargestWhoseReservesForEveryStreamTakeAtMostHalfTheBudget() {
        // 1 MiB pipe: reserve 1,104 KiB; 64 KiB: 144 KiB; 16 KiB: 48 KiB; 8 KiB: 24 KiB; one page: 12 KiB
        assertThat(StreamMarks.fairPipe(256 * MIB, 1)).isEqualTo(StreamMarks.MAX_PIPE);
        assertThat(StreamMarks.fairPipe(256 * MIB, 0)).as("no stream yet: as for the first").isEqualTo(StreamMarks.MAX_PIPE);
        assertThat(StreamMarks.fairPipe(32 * MIB, 113)).isEqualTo(64 * 1024);
        assertThat(StreamMarks.fairPipe(32 * MIB, 114)).isEqualTo(32 * 1024);
        assertThat(StreamMarks.fairPipe(MIB, 13)).isEqualTo(8 * 1024);
        assertThat(StreamMarks.fairPipe(MIB, 21)).isEqualTo(8 * 1024);
        assertThat(StreamMarks.fairPipe(MIB, 22)).isEqualTo(StreamMarks.PAGE_PIPE);
        assertThat(StreamMarks.fairPipe(32 * MIB, 1000)).isEqualTo(StreamMarks.PAGE_PIPE);
        assertThat(StreamMarks.fairPipe(64 * 1024, 1000)).as("the floor, even when it does not fit")
                .isEqualTo(StreamMarks.PAGE_PIPE);
        for (int streams = 1; streams <= 2000; streams++) {
            int pipe = StreamMarks.fairPipe(32 * MIB, streams);
            assertThat(Integer.bitCount(pipe)).isOne();
            assertThat(pipe == StreamMarks.PAGE_PIPE || (long) streams * StreamMarks.reserve(pipe) <= 16 * MIB)
                    .as("%d streams, pipe %d", streams, pipe).isTrue();
            assertThat(pipe == StreamMarks.MAX_PIPE || (long) streams * StreamMarks.reserve(pipe * 2) > 16 * MIB)
                    .as("%d streams: the next pipe would not fit", streams).isTrue();
        }
    }

    @Test
    void aStreamHoldsTheMostWhenItQueuedMoreThanTwoFullPipes() {
        assertThat(StreamMarks.holdsTheMost(8 * 1024, StreamMarks.PAGE_PIPE)).isFalse();
        assertThat(StreamMarks.holdsTheMost(8 * 1024 + 1, StreamMarks.PAGE_PIPE)).isTrue();
        assertThat(StreamMarks.holdsTheMost(128 * 1024, 64 * 1024)).as("a read and one more chunk behind").isFalse();
        assertThat(StreamMarks.holdsTheMost(128 * 1024 + 1, 64 * 1024)).isTrue();
    }
}
