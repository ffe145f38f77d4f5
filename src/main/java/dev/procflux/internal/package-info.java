/**
 * Implementation details of procflux: NuProcess handlers, reactor-pool wiring and native bindings.
 *
 * <p><b>Not API.</b> Anything here may change or disappear in any release; use the types in {@code dev.procflux}.
 */
@NullMarked
package dev.procflux.internal;

import org.jspecify.annotations.NullMarked;
