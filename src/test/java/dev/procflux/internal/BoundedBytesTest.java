package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedBytesTest {

    @Test
    void truncationKeepsTheFirstBytesAndConsumesTheRest() {
        BoundedBytes b = new BoundedBytes(5, true);
        ByteBuffer in = ByteBuffer.wrap("abcdefgh".getBytes(StandardCharsets.US_ASCII));
        assertThat(b.append(in)).isTrue();
        assertThat(in.hasRemaining()).isFalse();
        assertThat(new String(b.toArray(), StandardCharsets.US_ASCII)).isEqualTo("abcde");
        assertThat(b.isTruncated()).isTrue();
    }

    @Test
    void failPolicyReportsOverflowWithoutGrowingPastTheLimit() {
        BoundedBytes b = new BoundedBytes(4, false);
        assertThat(b.append(ByteBuffer.wrap(new byte[4]))).isTrue();
        assertThat(b.append(ByteBuffer.wrap(new byte[1]))).isFalse();
        assertThat(b.toArray()).hasSize(4);
    }

    @Test
    void tailBufferKeepsTheLastBytes() {
        TailBuffer t = new TailBuffer(4);
        t.append("abcdefg".getBytes(StandardCharsets.US_ASCII));
        assertThat(t.text(StandardCharsets.US_ASCII)).isEqualTo("...defg");
    }
}
