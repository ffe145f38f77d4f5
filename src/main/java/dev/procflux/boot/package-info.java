/**
 * Spring Boot auto-configuration: a {@link dev.procflux.ProcessEngine} bean configured by {@code procflux.engine.*},
 * worker pools from {@code procflux.workers.<name>.*}, the HTTP routes of an actions file under
 * {@code procflux.web.path}, a health indicator and Micrometer meters. Active only when Spring Boot is on the class
 * path; every bean backs off when the application defines its own. See {@code docs/spring-boot.md}.
 */
@NullMarked
package dev.procflux.boot;

import org.jspecify.annotations.NullMarked;
