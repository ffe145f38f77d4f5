/**
 * The {@code procflux} command line: {@code procflux run} runs a batch of commands with bounded concurrency, like
 * {@code xargs -P} or GNU parallel, on a {@link dev.procflux.ProcessEngine}.
 *
 * <p>Only {@link dev.procflux.cli.Main} is public; the rest of the package is its implementation and may change in
 * any release.
 */
@NullMarked
package dev.procflux.cli;

import org.jspecify.annotations.NullMarked;
