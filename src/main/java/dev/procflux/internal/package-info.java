/**
 * Implementation details of procflux: NuProcess handlers, reactor-pool wiring and native bindings.
 *
 * <p><b>Not API.</b> Anything here may change or disappear in any release; use the types in {@code dev.procflux}.
 *
 * <p>The API reaches this package through two public classes only: {@code ApiFactory}, which makes every
 * implementation the API hands out, and {@code Arguments}, the argument checks of its builders. Everything else
 * here is package-private.
 */
@NullMarked
package dev.procflux.internal;

import org.jspecify.annotations.NullMarked;
