package dev.procflux;

/**
 * One slot of a {@link ProcessEngine}, held for the duration of {@link ProcessEngine#withLease}: several commands
 * counted as one unit of concurrency.
 *
 * <p>Processes on a lease run one at a time: starting a second while the first is alive fails that call with
 * {@link IllegalStateException}. Compose them in sequence ({@code then}, {@code concatMap}). Once the scope has
 * ended, every call fails with {@link ProcessPoolClosedException}.
 */
public interface Lease extends ProcessRunner {
}
