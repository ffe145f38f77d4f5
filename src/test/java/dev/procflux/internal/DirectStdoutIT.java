package dev.procflux.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import dev.procflux.testsupport.ProcFs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** {@link DirectStdout} on pipes of the test's own: the descriptor swap, the reads, the readiness, the hang-up. */
@EnabledOnOs(OS.LINUX)
class DirectStdoutIT {
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final int F_GETFD = 1;
    private static final int FD_CLOEXEC = 1;
    private static final int F_GETPIPE_SZ = 1032;

    interface C extends Library {
        C LIB = Native.load("c", C.class);

        int pipe2(int[] fds, int flags);

        long write(int fd, byte[] bytes, long count);

        long read(int fd, byte[] bytes, long count);

        int fcntl(int fd, int cmd, int arg);

        int close(int fd);
    }

    private static void write(int fd, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        assertThat(C.LIB.write(fd, bytes, bytes.length)).isEqualTo(bytes.length);
    }

    private static String read(DirectStdout d, Memory buffer) {
        int n = d.read(buffer, (int) buffer.size());
        assertThat(n).as("bytes read").isPositive();
        return new String(buffer.getByteArray(0, n), StandardCharsets.US_ASCII);
    }

    @Test
    void theTakenNumberNamesAnEmptyPipeThatHangsUpWhenThePipeIsClosed() {
        // the first round loads the classes and the bindings (jar files open for good): count from the second on
        takeReadAndClose();
        long before = ProcFs.openFileDescriptors();
        for (int round = 0; round < 3; round++) {
            takeReadAndClose();
        }
        assertThat(ProcFs.openFileDescriptors()).isEqualTo(before);
    }

    private static void takeReadAndClose() {
        int[] pipe = new int[2];
        assertThat(C.LIB.pipe2(pipe, O_NONBLOCK | O_CLOEXEC)).isZero();
        write(pipe[1], "before the take");
        DirectStdout d = DirectStdout.take(pipe[0]);
        assertThat(d).isNotNull();
        byte[] probe = new byte[64];
        // the old number: another pipe now, empty, still close-on-exec
        assertThat(C.LIB.read(pipe[0], probe, probe.length)).isEqualTo(-1);
        assertThat(C.LIB.fcntl(pipe[0], F_GETFD, 0) & FD_CLOEXEC).isEqualTo(FD_CLOEXEC);
        // ours: the real pipe, close-on-exec too
        assertThat(C.LIB.fcntl(d.descriptor(), F_GETFD, 0) & FD_CLOEXEC).isEqualTo(FD_CLOEXEC);
        Memory buffer = new Memory(4096);
        assertThat(read(d, buffer)).isEqualTo("before the take");
        assertThat(d.read(buffer, 4096)).as("empty").isEqualTo(-1);
        assertThat(d.resize(1 << 16)).isEqualTo(1 << 16);
        assertThat(C.LIB.fcntl(d.descriptor(), F_GETPIPE_SZ, 0)).isEqualTo(1 << 16);
        d.close();
        assertThat(d.descriptor()).isEqualTo(-1);
        assertThat(d.read(buffer, 4096)).as("closed reads as the end").isZero();
        assertThat(C.LIB.read(pipe[0], probe, probe.length)).as("the empty pipe hung up").isZero();
        C.LIB.close(pipe[0]);
        C.LIB.close(pipe[1]);
    }

    @Test
    void anArmedPipeReportsDataOnceAndAWatchedOneReportsOnlyItsHangUp() {
        int[] pipe = new int[2];
        assertThat(C.LIB.pipe2(pipe, O_NONBLOCK | O_CLOEXEC)).isZero();
        DirectStdout d = DirectStdout.take(pipe[0]);
        assertThat(d).isNotNull();
        AtomicInteger events = new AtomicInteger();
        d.onReady(events::incrementAndGet);
        d.arm();
        write(pipe[1], "one");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.get() == 1);
        // one-shot: more data, no event until armed again
        write(pipe[1], "two");
        Memory buffer = new Memory(4096);
        assertThat(read(d, buffer)).isEqualTo("onetwo");
        assertThat(events.get()).isEqualTo(1);
        // watching for the hang-up only: data does not wake it, the writer's close does and the empty pipe hangs up
        d.watchHangUp();
        write(pipe[1], "three");
        byte[] probe = new byte[64];
        assertThat(C.LIB.read(pipe[0], probe, probe.length)).as("NuProcess's side, before").isEqualTo(-1);
        C.LIB.close(pipe[1]);
        await().atMost(Duration.ofSeconds(10)).until(() -> events.get() == 2);
        assertThat(C.LIB.read(pipe[0], probe, probe.length)).as("NuProcess's side, after").isZero();
        // what the writer wrote before it closed is still there, then the end
        assertThat(read(d, buffer)).isEqualTo("three");
        assertThat(d.read(buffer, 4096)).isZero();
        d.close();
        C.LIB.close(pipe[0]);
    }
}
