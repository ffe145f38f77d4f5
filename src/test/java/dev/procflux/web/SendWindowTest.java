package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.core.io.buffer.NettyDataBufferFactory;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;

class SendWindowTest {
    private final NettyDataBufferFactory netty = new NettyDataBufferFactory(UnpooledByteBufAllocator.DEFAULT);

    /** Takes every buffer and holds it, like a server whose socket takes nothing, until the test releases it. */
    private static final class Server extends BaseSubscriber<DataBuffer> {
        final List<DataBuffer> held = new CopyOnWriteArrayList<>();
        volatile boolean completed;

        @Override
        protected void hookOnNext(DataBuffer value) {
            held.add(value);
        }

        @Override
        protected void hookOnComplete() {
            completed = true;
        }

        void releaseFirst() {
            DataBufferUtils.release(held.remove(0));
        }
    }

    @Test
    void asksForTheNextFrameOnlyWhileTheHeldBytesAreBelowTheWindow() {
        SendWindow window = new SendWindow(64 * 1024);
        AtomicLong asked = new AtomicLong();
        Flux<byte[]> frames = Flux.range(0, 5).map(i -> new byte[40 * 1024]).doOnRequest(asked::addAndGet);
        Server server = new Server();
        window.buffers(frames, netty).subscribe(server);

        // 40 KiB is below the window, 80 KiB is not
        assertThat(server.held).hasSize(2);
        assertThat(asked).hasValue(2);
        assertThat(window.bufferedBytes()).isEqualTo(80 * 1024);

        server.releaseFirst();
        assertThat(server.held).hasSize(2);
        assertThat(window.bufferedBytes()).isEqualTo(80 * 1024);

        while (!server.held.isEmpty()) {
            server.releaseFirst();
        }
        assertThat(server.completed).isTrue();
        assertThat(asked).hasValue(5 + 1);
        assertThat(window.bufferedBytes()).isZero();
    }

    @Test
    void holdsAtMostSixteenSmallFrames() {
        SendWindow window = new SendWindow(64 * 1024);
        Server server = new Server();
        window.buffers(Flux.range(0, 100).map(i -> new byte[] { 'y', '\n' }), netty).subscribe(server);

        assertThat(server.held).hasSize(SendWindow.MAX_FRAMES);
        assertThat(window.bufferedBytes()).isEqualTo(2L * SendWindow.MAX_FRAMES);
        server.releaseFirst();
        assertThat(server.held).hasSize(SendWindow.MAX_FRAMES);
    }

    @Test
    void sumsTheResponsesAndKeepsCountingFramesHandedOverAfterACancel() {
        SendWindow window = new SendWindow(64 * 1024);
        Server first = new Server();
        Server second = new Server();
        window.buffers(Flux.just(new byte[1000], new byte[1000]), netty).subscribe(first);
        window.buffers(Flux.just(new byte[500]).concatWith(Flux.never()), netty).subscribe(second);
        assertThat(window.bufferedBytes()).isEqualTo(2500);

        second.cancel();
        assertThat(window.bufferedBytes()).as("the server still holds the frame").isEqualTo(2500);
        second.releaseFirst();
        first.releaseFirst();
        first.releaseFirst();
        assertThat(window.bufferedBytes()).isZero();
    }

    @Test
    void passesFramesUnwindowedToServersThatAreNotNetty() {
        SendWindow window = new SendWindow(64 * 1024);
        Server server = new Server();
        window.buffers(Flux.range(0, 100).map(i -> new byte[1024]), DefaultDataBufferFactory.sharedInstance)
                .subscribe(server);
        assertThat(server.held).hasSize(100);
        assertThat(window.bufferedBytes()).isZero();
    }

    @Test
    void rejectsAWindowBelowOneByte() {
        assertThatThrownBy(() -> new SendWindow(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("windowBytes must be >= 1, was 0");
    }
}
