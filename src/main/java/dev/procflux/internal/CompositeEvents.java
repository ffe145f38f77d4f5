package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.EngineEvents;
import dev.procflux.PoolEvents;
import dev.procflux.ProcessOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Several {@link EngineEvents} or {@link PoolEvents} listeners as one: each callback reaches every listener in the
 * order they were added, and a listener that throws does not keep the later ones from being called (the first
 * failure is rethrown once all were called, later ones suppressed in it, for the caller to log).
 */
final class CompositeEvents {
    private CompositeEvents() {
    }

    /**
     * @param first the listeners so far ({@link EngineEvents#NONE} for none)
     * @param next the listener to add
     * @return one listener calling both
     */
    static EngineEvents engine(EngineEvents first, EngineEvents next) {
        if (first == EngineEvents.NONE) {
            return next;
        }
        return new Engine(flatten(first, next, Engine.class, Engine::listeners));
    }

    /**
     * @param first the listeners so far ({@link PoolEvents#NONE} for none)
     * @param next the listener to add
     * @return one listener calling both
     */
    static PoolEvents pool(PoolEvents first, PoolEvents next) {
        if (first == PoolEvents.NONE) {
            return next;
        }
        return new Pool(flatten(first, next, Pool.class, Pool::listeners));
    }

    private static <T, C> List<T> flatten(T first, T next, Class<C> composite,
            Function<C, List<T>> members) {
        List<T> all = new ArrayList<>();
        for (T t : List.of(first, next)) {
            if (composite.isInstance(t)) {
                all.addAll(members.apply(composite.cast(t)));
            }
            else {
                all.add(t);
            }
        }
        return List.copyOf(all);
    }

    private static <T> void each(List<T> listeners, Consumer<T> call) {
        @Nullable RuntimeException failure = null;
        for (T listener : listeners) {
            try {
                call.accept(listener);
            }
            catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
                else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** @param listeners every listener, none of them composite */
    private record Engine(List<EngineEvents> listeners) implements EngineEvents {
        @Override
        public void slotAcquired(Duration waited) {
            each(listeners, l -> l.slotAcquired(waited));
        }

        @Override
        public void processStarted(Command command, long pid) {
            each(listeners, l -> l.processStarted(command, pid));
        }

        @Override
        public void processEnded(Command command, ProcessOutcome outcome, Duration duration) {
            each(listeners, l -> l.processEnded(command, outcome, duration));
        }

        @Override
        public void processKilled(Command command, long pid, boolean forced) {
            each(listeners, l -> l.processKilled(command, pid, forced));
        }
    }

    /** @param listeners every listener, none of them composite */
    private record Pool(List<PoolEvents> listeners) implements PoolEvents {
        @Override
        public void allocationSucceeded(Duration latency) {
            each(listeners, l -> l.allocationSucceeded(latency));
        }

        @Override
        public void allocationFailed(Duration latency) {
            each(listeners, l -> l.allocationFailed(latency));
        }

        @Override
        public void pendingAcquireSucceeded(Duration waited) {
            each(listeners, l -> l.pendingAcquireSucceeded(waited));
        }

        @Override
        public void pendingAcquireFailed(Duration waited) {
            each(listeners, l -> l.pendingAcquireFailed(waited));
        }

        @Override
        public void acquiredAfterIdle(Duration idle) {
            each(listeners, l -> l.acquiredAfterIdle(idle));
        }

        @Override
        public void returned(Duration latency) {
            each(listeners, l -> l.returned(latency));
        }

        @Override
        public void keptIdle() {
            each(listeners, PoolEvents::keptIdle);
        }

        @Override
        public void destroying(Duration lifetime) {
            each(listeners, l -> l.destroying(lifetime));
        }

        @Override
        public void destroyed(Duration latency) {
            each(listeners, l -> l.destroyed(latency));
        }
    }
}
