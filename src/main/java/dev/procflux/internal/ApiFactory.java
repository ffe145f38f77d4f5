package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.EngineEvents;
import dev.procflux.EngineOptions;
import dev.procflux.JsonLinesProtocol;
import dev.procflux.PoolEvents;
import dev.procflux.ProcessEngine;
import dev.procflux.WorkerPool;
import dev.procflux.WorkerPoolOptions;
import dev.procflux.WorkerProtocol;
import java.util.List;
import reactor.core.scheduler.Scheduler;

/**
 * The one door from the API ({@code dev.procflux}) into its implementation: every object of {@code internal} that
 * the API hands out is made here, so that the rest of {@code internal} stays package-private.
 *
 * <p>Public only so that the API's entry points can call it; not API.
 */
public final class ApiFactory {
    private static final String NUPROCESS_SHUTDOWN_HOOK = "com.zaxxer.nuprocess.enableShutdownHook";

    private ApiFactory() {
    }

    /**
     * @param options the engine's options
     * @return a new engine on NuProcess
     */
    public static ProcessEngine engine(EngineOptions options) {
        return new DefaultProcessEngine(options, nuProcessLauncher(options));
    }

    /**
     * @param options the pool's options
     * @param engine the options of the engine the pool belongs to: schedulers and kill grace period
     * @param <I> the request type
     * @param <O> the reply type
     * @return a new worker pool on NuProcess, warming up
     */
    public static <I, O> WorkerPool<I, O> workerPool(WorkerPoolOptions<I, O> options, EngineOptions engine) {
        return new DefaultWorkerPool<>(options, engine, nuProcessLauncher(engine));
    }

    /**
     * Every process of the JVM is reaped by NuProcess's event threads; NuProcess's own shutdown hook would SIGTERM
     * direct children only and stop those threads, after which a closing engine could no longer see its processes
     * exit. The engine's and the worker pool's hooks kill whole trees instead, so NuProcess's hook is turned off
     * here, when the first engine or pool is built: NuProcess reads the property once, when its first process
     * starts, which is always later. An explicit setting by the application wins.
     */
    private static Launcher nuProcessLauncher(EngineOptions options) {
        if (System.getProperty(NUPROCESS_SHUTDOWN_HOOK) == null) {
            System.setProperty(NUPROCESS_SHUTDOWN_HOOK, "false");
        }
        return new NuProcessLauncher(options.timerScheduler());
    }

    /**
     * @param argv a command's argv
     * @return the argv as one line for messages, quoted as a shell would read it
     */
    public static String commandLine(List<String> argv) {
        return CommandText.commandLine(argv);
    }

    /**
     * @param bytes raw bytes
     * @return them as a string: UTF-8 text as such, other bytes as {@code U+DC80..U+DCFF}
     */
    public static String argument(byte[] bytes) {
        return SurrogateEscape.decode(bytes);
    }

    /**
     * @param argument a string, possibly with raw bytes as {@code U+DC80..U+DCFF}
     * @return the bytes it stands for
     */
    public static byte[] argumentBytes(String argument) {
        return SurrogateEscape.encode(argument);
    }

    /**
     * @param command a command
     * @return its {@code toString()}: the command line and its settings, environment values redacted
     */
    public static String describe(Command command) {
        return CommandText.describe(command);
    }

    /** @return the shared launch scheduler: one daemon thread for the whole JVM, never disposed */
    public static Scheduler defaultLaunchScheduler() {
        return DefaultLaunchScheduler.get();
    }

    /**
     * @param first the listeners so far
     * @param next one more listener
     * @return one listener calling both, in order, each isolated from the other's exceptions
     */
    public static EngineEvents engineEvents(EngineEvents first, EngineEvents next) {
        return CompositeEvents.engine(first, next);
    }

    /**
     * @param first the listeners so far
     * @param next one more listener
     * @return one listener calling both, in order, each isolated from the other's exceptions
     */
    public static PoolEvents poolEvents(PoolEvents first, PoolEvents next) {
        return CompositeEvents.pool(first, next);
    }

    /**
     * @param events a listener, composite or not
     * @return the listeners it calls, in order (for {@code ProcfluxMeters} to find its own among them)
     */
    public static List<PoolEvents> poolListeners(PoolEvents events) {
        return CompositeEvents.listeners(events);
    }

    /**
     * @param maxLineBytes the longest line accepted, at least 1
     * @return the newline-delimited text protocol
     */
    public static WorkerProtocol<String, String> linesProtocol(int maxLineBytes) {
        return new WorkerLinesProtocol(maxLineBytes);
    }

    /** @return the default longest line of the line protocols */
    public static int defaultMaxLineBytes() {
        return WorkerLinesProtocol.DEFAULT_MAX_LINE_BYTES;
    }

    /**
     * @param maxFrameBytes the largest frame accepted, at least 1
     * @return the 4-byte big-endian length-prefixed protocol
     */
    public static WorkerProtocol<byte[], byte[]> lengthPrefixedProtocol(int maxFrameBytes) {
        return new WorkerLengthPrefixedProtocol(maxFrameBytes);
    }

    /** @return the default largest frame of the length-prefixed protocol */
    public static int defaultMaxFrameBytes() {
        return WorkerLengthPrefixedProtocol.DEFAULT_MAX_FRAME_BYTES;
    }

    /**
     * @param maxLineBytes the longest line accepted, at least 1
     * @return the JSON Lines protocol
     */
    public static JsonLinesProtocol jsonLinesProtocol(int maxLineBytes) {
        return new WorkerJsonLinesProtocol(maxLineBytes);
    }
}
