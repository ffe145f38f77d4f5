package dev.procflux.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The options of {@code procflux run}, parsed from its arguments. Immutable.
 *
 * <p>Options come first; the command template starts after {@code --} or at the first argument that is not an
 * option (as in GNU parallel, so {@code procflux run -j4 gzip {}} works too).
 */
final class RunOptions {
    private final int jobs;
    private final @Nullable String file;
    private final @Nullable Template template;
    private final boolean shell;
    private final @Nullable Duration timeout;
    private final int retries;
    private final boolean keepOrder;
    private final boolean tag;
    private final HaltPolicy halt;
    private final @Nullable Path joblog;
    private final boolean dryRun;
    private final @Nullable Boolean summary;
    private final boolean help;
    private final ParallelOptions parallel;

    private RunOptions(Parser p) {
        jobs = p.jobs;
        file = p.file;
        template = p.template.isEmpty() ? null : Template.of(p.template, p.parallel.replace,
                p.parallel.contextReplace ? Template.Context.REPEAT : Template.Context.SPREAD);
        shell = p.shell;
        timeout = p.timeout;
        retries = p.retries;
        keepOrder = p.keepOrder;
        tag = p.tag;
        halt = p.halt;
        joblog = p.joblog;
        dryRun = p.dryRun;
        summary = p.summary;
        help = p.help;
        parallel = p.parallel;
        if (!help) {
            parallel.check(joblog != null, template != null);
        }
    }

    /**
     * @param args the arguments after {@code run}
     * @return the options
     * @throws UsageException for an unknown option, a missing value or a bad value
     */
    static RunOptions parse(List<String> args) {
        Parser p = new Parser();
        p.parse(args);
        return new RunOptions(p);
    }

    /** @return how many jobs run at once; 0 means as many as the engine's pending limit allows */
    int jobs() {
        return jobs;
    }

    /** @return {@code -f FILE}: the name as given, raw bytes included (opened with {@link InputFiles}) */
    Optional<String> file() {
        return Optional.ofNullable(file);
    }

    Optional<Template> template() {
        return Optional.ofNullable(template);
    }

    boolean shell() {
        return shell;
    }

    Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    int retries() {
        return retries;
    }

    boolean keepOrder() {
        return keepOrder;
    }

    boolean tag() {
        return tag;
    }

    HaltPolicy halt() {
        return halt;
    }

    Optional<Path> joblog() {
        return Optional.ofNullable(joblog);
    }

    boolean dryRun() {
        return dryRun;
    }

    /** @return whether to print the summary line, given whether stderr is a terminal */
    boolean summary(boolean terminal) {
        return summary == null ? terminal : summary;
    }

    boolean help() {
        return help;
    }

    /** @return the options that come from GNU parallel: argument sources, output modes, capacity, --pipe... */
    ParallelOptions parallel() {
        return parallel;
    }

    /** @return how job arguments are read; {@link ArgumentOptions#explicit()} when not one line per job */
    ArgumentOptions arguments() {
        return parallel.arguments(template);
    }

    /** Mutable parse state; used once by {@link #parse(List)}. */
    private static final class Parser {
        int jobs = Runtime.getRuntime().availableProcessors();
        @Nullable String file;
        final List<String> template = new ArrayList<>();
        boolean shell;
        @Nullable Duration timeout;
        int retries;
        boolean keepOrder;
        boolean tag;
        HaltPolicy halt = HaltPolicy.NEVER;
        @Nullable Path joblog;
        boolean dryRun;
        @Nullable Boolean summary;
        boolean help;
        final ParallelOptions parallel = new ParallelOptions();

        void parse(List<String> args) {
            int i = 0;
            while (i < args.size()) {
                String arg = args.get(i);
                if (arg.equals("--")) {
                    templateAndSources(args.subList(i + 1, args.size()));
                    return;
                }
                if (!arg.startsWith("-") || arg.equals("-")) {
                    templateAndSources(args.subList(i, args.size()));
                    return;
                }
                String name = arg;
                @Nullable String inline = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    inline = arg.substring(eq + 1);
                }
                else if (!arg.startsWith("--") && arg.length() > 2 && takesValue(arg.substring(0, 2))) {
                    // -j4, -ffile: the short option's value is glued to it
                    name = arg.substring(0, 2);
                    inline = arg.substring(2);
                }
                if (takesValue(name)) {
                    String value;
                    if (inline != null) {
                        value = inline;
                        i++;
                    }
                    else {
                        if (i + 1 >= args.size()) {
                            throw new UsageException(name + " needs a value");
                        }
                        value = args.get(i + 1);
                        i += 2;
                    }
                    option(name, value);
                }
                else {
                    if (inline != null) {
                        throw new UsageException(name + " takes no value, was '" + arg + "'");
                    }
                    flag(name);
                    i++;
                }
            }
        }

        /** The template runs up to the first argument source separator ({@code :::}, {@code ::::}...). */
        private void templateAndSources(List<String> rest) {
            int i = 0;
            while (i < rest.size() && !ParallelOptions.SEPARATORS.contains(rest.get(i))) {
                i++;
            }
            template.addAll(rest.subList(0, i));
            if (i < rest.size()) {
                parallel.sources(rest.subList(i, rest.size()));
            }
        }

        private static boolean takesValue(String name) {
            switch (name) {
                case "-j":
                case "--jobs":
                case "-P":
                case "--max-procs":
                case "-f":
                case "--file":
                case "--timeout":
                case "--retries":
                case "--halt":
                case "--joblog":
                    return true;
                default:
                    return ParallelOptions.takesValue(name);
            }
        }

        private void option(String name, String value) {
            switch (name) {
                case "-j":
                case "--jobs":
                case "-P":
                case "--max-procs":
                    jobs = JobsArgument.parse(name, value, Runtime.getRuntime().availableProcessors());
                    break;
                case "-f":
                case "--file":
                    file = value;
                    break;
                case "--timeout":
                    if (value.trim().endsWith("%")) {
                        parallel.timeoutPercent = JobsArgument.percent(name, value);
                        break;
                    }
                    timeout = DurationArgument.parse(name, value);
                    break;
                case "--retries":
                    retries = nonNegativeInt(name, value);
                    break;
                case "--halt":
                    halt = HaltPolicy.parse(value);
                    break;
                case "--joblog":
                    joblog = UsageException.path(name, value);
                    break;
                default:
                    if (!parallel.option(name, value)) {
                        throw new UsageException("unknown option '" + name + "'");
                    }
            }
        }

        private void flag(String name) {
            switch (name) {
                case "-k":
                case "--keep-order":
                    keepOrder = true;
                    break;
                case "--tag":
                    tag = true;
                    break;
                case "--shell":
                    shell = true;
                    break;
                case "--dry-run":
                    dryRun = true;
                    break;
                case "--summary":
                    summary = true;
                    break;
                case "--no-summary":
                    summary = false;
                    break;
                case "-h":
                case "--help":
                    help = true;
                    break;
                default:
                    if (!parallel.flag(name)) {
                        throw new UsageException("unknown option '" + name + "'");
                    }
            }
        }

        private static int nonNegativeInt(String name, String value) {
            try {
                int n = Integer.parseInt(value.trim());
                if (n >= 0) {
                    return n;
                }
            }
            catch (NumberFormatException e) {
                throw new UsageException(name + " must be a whole number >= 0, was '" + value + "'", e);
            }
            throw new UsageException(name + " must be a whole number >= 0, was '" + value + "'");
        }
    }
}
