/**
 * Micrometer metrics for procflux engines. Needs {@code io.micrometer:micrometer-core} on the classpath (an
 * optional dependency of procflux).
 */
@NullMarked
package dev.procflux.micrometer;

import org.jspecify.annotations.NullMarked;
