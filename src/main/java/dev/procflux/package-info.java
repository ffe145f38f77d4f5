/**
 * procflux: operating-system subprocesses as {@code Mono} and {@code Flux}.
 *
 * <p>Start with {@link dev.procflux.ProcessEngine#create()} and {@link dev.procflux.Command#of(String...)}.
 * Everything in this package is public API; {@code dev.procflux.internal} is not.
 *
 * <p><b>Glossary.</b> One word per concept, the same in {@link dev.procflux.EngineMetrics},
 * {@link dev.procflux.WorkerPoolMetrics}, the HTTP metrics JSON and the Micrometer meters:
 * <dl>
 * <dt>alive</dt><dd>processes (engine) or worker processes (pool) that exist now</dd>
 * <dt>acquired</dt><dd>slots (engine) or workers (pool) held by a caller now, as reactor-pool's
 *     {@code acquiredSize}</dd>
 * <dt>pending</dt><dd>callers waiting to acquire; bounded by {@code maxPendingAcquire}</dd>
 * <dt>started</dt><dd>processes launched since the engine or pool was built</dd>
 * <dt>dispose</dt><dd>stop taking work and kill what runs ({@link reactor.core.Disposable}); a graceful dispose
 *     drains first</dd>
 * <dt>no limit</dt><dd>a negative value; zero means none or at once (see
 *     {@link dev.procflux.ProcessEngine.Builder})</dd>
 * </dl>
 */
@NullMarked
package dev.procflux;

import org.jspecify.annotations.NullMarked;
