package dev.procflux.boot;

import dev.procflux.WorkerPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The worker pools of {@code procflux.workers.*} and of the actions file's {@code workers:}, by name. The
 * auto-configuration closes them (draining requests in flight) before the engine when the application stops.
 * Immutable and thread-safe.
 */
public final class ProcfluxWorkerPools implements AutoCloseable {
    private final Map<String, WorkerPool<String, String>> text;
    private final Map<String, WorkerPool<byte[], byte[]>> bytes;

    /**
     * @param text the pools of {@link dev.procflux.WorkerProtocol#lines()}, by name
     * @param bytes the pools of {@link dev.procflux.WorkerProtocol#lengthPrefixed()}, by name
     * @throws IllegalArgumentException if a name is in both maps
     */
    public ProcfluxWorkerPools(Map<String, WorkerPool<String, String>> text,
            Map<String, WorkerPool<byte[], byte[]>> bytes) {
        this.text = Collections.unmodifiableMap(new LinkedHashMap<>(text));
        this.bytes = Collections.unmodifiableMap(new LinkedHashMap<>(bytes));
        for (String name : bytes.keySet()) {
            if (text.containsKey(name)) {
                throw new IllegalArgumentException("worker pool '" + name + "' is defined twice");
            }
        }
    }

    /** @return every pool's name */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>(text.keySet());
        names.addAll(bytes.keySet());
        return names;
    }

    /** @return the pools that speak lines of text, by name */
    public Map<String, WorkerPool<String, String>> textPools() {
        return text;
    }

    /** @return the pools that speak length-prefixed bytes, by name */
    public Map<String, WorkerPool<byte[], byte[]>> bytePools() {
        return bytes;
    }

    /**
     * @param name a pool of protocol {@code LINES}
     * @return the pool
     * @throws IllegalArgumentException if there is no such pool of that protocol
     */
    public WorkerPool<String, String> text(String name) {
        WorkerPool<String, String> pool = text.get(Objects.requireNonNull(name, "name"));
        if (pool == null) {
            throw new IllegalArgumentException("no worker pool '" + name + "' of protocol LINES; pools: " + names());
        }
        return pool;
    }

    /**
     * @param name a pool of protocol {@code LENGTH_PREFIXED}
     * @return the pool
     * @throws IllegalArgumentException if there is no such pool of that protocol
     */
    public WorkerPool<byte[], byte[]> bytes(String name) {
        WorkerPool<byte[], byte[]> pool = bytes.get(Objects.requireNonNull(name, "name"));
        if (pool == null) {
            throw new IllegalArgumentException("no worker pool '" + name + "' of protocol LENGTH_PREFIXED; pools: "
                    + names());
        }
        return pool;
    }

    /** @return every pool, by name */
    public Map<String, WorkerPool<?, ?>> all() {
        Map<String, WorkerPool<?, ?>> all = new LinkedHashMap<>(text);
        all.putAll(bytes);
        return all;
    }

    /**
     * Closes every pool, letting requests in flight finish for up to {@code drain}.
     *
     * @param drain how long requests in flight may take
     * @return completion once every worker process is gone
     */
    Mono<Void> disposeGracefully(Duration drain) {
        List<Mono<Void>> closing = new ArrayList<>();
        for (WorkerPool<?, ?> pool : all().values()) {
            closing.add(pool.disposeGracefully(drain));
        }
        return Flux.merge(closing).then();
    }

    /** Closes every pool at once. Idempotent. */
    @Override
    public void close() {
        all().values().forEach(WorkerPool::close);
    }
}
