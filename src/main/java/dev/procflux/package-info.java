/**
 * procflux: operating-system subprocesses as {@code Mono} and {@code Flux}.
 *
 * <p>Start with {@link dev.procflux.ProcessEngine#create()} and {@link dev.procflux.Command#of(String...)}.
 * Everything in this package is public API; {@code dev.procflux.internal} is not.
 */
@NullMarked
package dev.procflux;

import org.jspecify.annotations.NullMarked;
