package dev.procflux.internal;

import java.util.LinkedHashSet;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Holds the requests for a process's stdin that are made before its launching thread has returned from NuProcess's
 * {@code start()}, and makes them on that thread once it has; later requests go through at once, on their caller.
 *
 * <p>NuProcess 3.0.0 registers stdout and stderr with epoll after {@code onStart}, filling in the process's own
 * {@code epoll_event} struct, and {@code wantWrite()} and {@code closeStdin(false)} fill in the same struct on the
 * thread that calls them. One such call on another thread at that moment can register stderr with the stdin
 * pipe's events and descriptor: stderr's hang-up is then never reported, the child is never reaped and the run
 * never ends. Once {@code start()} has returned, the struct is only filled in with stdin's registration, so calls
 * on several threads at once agree.
 *
 * <p>The requests are idempotent (ask for room in the pipe, close it once written): the same request held twice
 * runs once, in the order of its first request. Thread-safe.
 */
final class LaunchGate {
    // guarded by this
    private boolean open;
    private @Nullable Set<Runnable> held;

    /** Runs {@code request} now when the gate is open, else holds it (once) for {@link #open()}. */
    void run(Runnable request) {
        synchronized (this) {
            if (!open) {
                if (held == null) {
                    held = new LinkedHashSet<>(4);
                }
                held.add(request);
                return;
            }
        }
        request.run();
    }

    /** Launching thread, once {@code start()} has returned: opens, then runs the held requests. */
    void open() {
        Set<Runnable> batch;
        synchronized (this) {
            open = true;
            batch = held;
            held = null;
        }
        if (batch != null) {
            batch.forEach(Runnable::run);
        }
    }
}
