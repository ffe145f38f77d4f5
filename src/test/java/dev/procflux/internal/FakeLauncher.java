package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.ExitStatus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A launcher without processes: tests drive output and exits by hand. */
final class FakeLauncher implements Launcher {
    // fake pids inside the pid_t (int) range, which the JDK and libc truncate to, but far above any pid_max (at most
    // 2^22 on Linux): no process has them, so ProcessHandle.of() finds nothing and a signal fails with ESRCH
    private final AtomicLong pids = new AtomicLong(Integer.MAX_VALUE - 1_000_000);
    final List<FakeProcess> launched = new CopyOnWriteArrayList<>();
    /** When set, processes exit with this signal as soon as they receive it. */
    volatile boolean exitOnSignal = true;

    @Override
    public LaunchedProcess launch(Command command, ProcessListener listener) {
        StartChecks.check(command);
        FakeProcess p = new FakeProcess(pids.incrementAndGet(), command, listener);
        launched.add(p);
        listener.onStart(p);
        return p;
    }

    final class FakeProcess implements LaunchedProcess {
        final long pid;
        final Command command;
        final ProcessListener listener;
        final List<Integer> signals = new CopyOnWriteArrayList<>();
        volatile boolean exited;

        FakeProcess(long pid, Command command, ProcessListener listener) {
            this.pid = pid;
            this.command = command;
            this.listener = listener;
        }

        void stdout(String text) {
            listener.onStdout(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }

        void exit(ExitStatus status) {
            if (!exited) {
                exited = true;
                listener.onExit(status);
            }
        }

        @Override
        public long pid() {
            return pid;
        }

        @Override
        public void wantWrite() {
        }

        @Override
        public void closeStdin() {
        }

        @Override
        public boolean outputClosed() {
            return exited;
        }

        @Override
        public List<String> outputPipes() {
            return List.of();
        }

        @Override
        public void signalled(int signal) {
            signals.add(signal);
            if (exitOnSignal) {
                exit(ExitStatus.signaled(signal));
            }
        }
    }
}
