/**
 * procflux over HTTP: an {@link dev.procflux.web.ActionRegistry} of allow-listed command templates, turned by
 * {@link dev.procflux.web.ActionRoutes} into a Spring WebFlux {@code RouterFunction} that a Spring application
 * registers as a bean, or that {@link dev.procflux.web.ActionServer} (and {@code procflux serve}) runs on Reactor
 * Netty.
 *
 * <p>Requests never name a program: they name an {@link dev.procflux.web.Action}, whose typed, validated
 * {@link dev.procflux.web.Parameter}s are substituted as whole argv elements. Nothing is run through a shell.
 *
 * <p>spring-webflux and Jackson 3 are optional dependencies of procflux: add them to use the routes (a Spring Boot 4
 * WebFlux application has them). snakeyaml-engine, for {@link dev.procflux.web.ActionsFile}, comes with procflux.
 */
@NullMarked
package dev.procflux.web;

import org.jspecify.annotations.NullMarked;
