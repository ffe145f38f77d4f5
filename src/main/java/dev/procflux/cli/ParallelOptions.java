package dev.procflux.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;

/**
 * The options of {@code procflux run} that come from GNU parallel: argument sources and placeholders, several
 * arguments per job, output modes, rerunning, capacity, {@code --pipe} and {@code --shard}. Parsed alongside
 * {@link RunOptions}, which holds one of these. Immutable once built.
 */
final class ParallelOptions {
    /** How job output reaches procflux's stdout and stderr. */
    enum OutputMode {
        /** Each job's output whole when it ends (the default). */
        GROUP,
        /** {@code --line-buffer}: whole lines as they come, never half lines interleaved. */
        LINE,
        /** {@code -u}: bytes as they come. */
        UNGROUP
    }

    /** The argument source separators, which end the command template. */
    static final List<String> SEPARATORS = List.of(":::", ":::+", "::::", "::::+");

    final List<ArgumentSource> sources = new ArrayList<>();
    boolean link;
    byte[] delimiter = ArgumentOptions.NEWLINE;
    boolean delimiterGiven;
    @Nullable Pattern colsep;
    boolean header;
    int maxArgs;
    boolean contextReplace;
    boolean multiple;
    @Nullable String replace;
    @Nullable String tagString;
    OutputMode outputMode = OutputMode.GROUP;
    /** {@code --results}: the directory's name as given, raw bytes included (see {@link ResultFiles}). */
    @Nullable String results;
    boolean files;
    boolean resume;
    boolean resumeFailed;
    @Nullable Duration retryDelay;
    @Nullable Duration delay;
    long memfreeBytes;
    double maxLoad;
    boolean progress;
    int timeoutPercent;
    boolean pipe;
    long blockBytes = 1024 * 1024;
    byte[] recend = ArgumentOptions.NEWLINE;
    @Nullable Shard shard;

    /** @return whether {@code name} is one of these options and takes a value */
    static boolean takesValue(String name) {
        switch (name) {
            case "-a":
            case "--arg-file":
            case "-d":
            case "--delimiter":
            case "--colsep":
            case "-C":
            case "--header":
            case "-n":
            case "-N":
            case "--max-args":
            case "-I":
            case "--tagstring":
            case "--results":
            case "--res":
            case "--retry-delay":
            case "--delay":
            case "--memfree":
            case "--load":
            case "--block":
            case "--block-size":
            case "--recend":
            case "--shard":
                return true;
            default:
                return false;
        }
    }

    /** @return whether {@code name} was one of these options */
    boolean option(String name, String value) {
        switch (name) {
            case "-a", "--arg-file" -> sources.add(new ArgumentSource.File(value, false));
            case "-d", "--delimiter" -> {
                delimiter = RecordReader.delimiter(name, value);
                delimiterGiven = true;
            }
            case "-C", "--colsep" -> {
                try {
                    colsep = Pattern.compile(value);
                }
                catch (PatternSyntaxException e) {
                    throw new UsageException(name + " must be a regular expression, was '" + value + "': "
                            + e.getDescription(), e);
                }
            }
            case "--header" -> {
                if (!value.equals(":")) {
                    throw new UsageException("--header supports ':' (the first record names the columns), was '"
                            + value + "'");
                }
                header = true;
            }
            case "-n", "-N", "--max-args" -> {
                maxArgs = positiveInt(name, value);
            }
            case "-I" -> replace = value;
            case "--tagstring" -> tagString = value;
            case "--results", "--res" -> results = value;
            case "--retry-delay" -> retryDelay = DurationArgument.parse(name, value);
            case "--delay" -> delay = DurationArgument.parse(name, value);
            case "--memfree" -> memfreeBytes = size(name, value);
            case "--load" -> maxLoad = load(name, value);
            case "--block", "--block-size" -> {
                blockBytes = size(name, value);
                if (blockBytes < 1 || blockBytes > Integer.MAX_VALUE - 16) {
                    throw new UsageException(name + " must be between 1 and 2g, was '" + value + "'");
                }
            }
            case "--recend" -> recend = value.isEmpty() ? new byte[0] : RecordReader.delimiter(name, value);
            case "--shard" -> shard = Shard.parse(value, System.getenv());
            default -> {
                return false;
            }
        }
        return true;
    }

    /** @return whether {@code name} was one of these flags */
    boolean flag(String name) {
        switch (name) {
            case "-0", "--null" -> {
                delimiter = new byte[] {0};
                delimiterGiven = true;
            }
            case "--link", "--xapply" -> link = true;
            case "-X" -> contextReplace = true;
            case "-m" -> multiple = true;
            case "--replace", "-i" -> replace = "{}";
            case "--line-buffer", "--lb" -> outputMode = OutputMode.LINE;
            case "-u", "--ungroup" -> outputMode = OutputMode.UNGROUP;
            case "--files" -> files = true;
            case "--resume" -> resume = true;
            case "--resume-failed" -> resumeFailed = true;
            case "--bar", "--eta", "--progress" -> progress = true;
            case "--pipe", "--spreadstdin" -> pipe = true;
            case "-q", "--quote" -> {
                // GNU parallel's -q makes it run the command as argv rather than as a shell line; procflux always
                // does, unless --shell
            }
            case "--will-cite" -> {
                // GNU parallel's citation notice has no counterpart; accepted so that pasted lines run
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * The argument sources after the template: {@code ::: values}, {@code :::+ values}, {@code :::: files},
     * {@code ::::+ files}.
     *
     * @param args the arguments from the first separator on
     */
    void sources(List<String> args) {
        String separator = args.get(0);
        List<String> values = new ArrayList<>();
        for (String a : args.subList(1, args.size())) {
            if (SEPARATORS.contains(a)) {
                addSource(separator, values);
                separator = a;
                values = new ArrayList<>();
            }
            else {
                values.add(a);
            }
        }
        addSource(separator, values);
    }

    private void addSource(String separator, List<String> values) {
        boolean linked = separator.endsWith("+");
        if (separator.startsWith("::::")) {
            if (values.isEmpty()) {
                throw new UsageException(separator + " needs at least one file");
            }
            for (int i = 0; i < values.size(); i++) {
                // several files after one :::: are separate sources, crossed with each other
                sources.add(new ArgumentSource.File(values.get(i), i == 0 && linked));
            }
        }
        else {
            sources.add(new ArgumentSource.Values(values, linked));
        }
    }

    /** Cross-option rules, checked once every option is known. */
    void check(boolean hasJoblog, boolean hasTemplate) {
        if ((resume || resumeFailed) && !hasJoblog) {
            throw new UsageException((resume ? "--resume" : "--resume-failed") + " needs --joblog FILE");
        }
        if (contextReplace && multiple) {
            throw new UsageException("-X and -m cannot be combined");
        }
        if (pipe && (!sources.isEmpty() || delimiterGiven || colsep != null || header || maxArgs > 0)) {
            throw new UsageException("--pipe reads stdin in blocks: it cannot be combined with argument sources, "
                    + "-d, -0, --colsep, --header or -n");
        }
        if (pipe && !hasTemplate) {
            throw new UsageException("--pipe needs a command to feed the blocks to");
        }
        if ((files || results != null) && outputMode != OutputMode.GROUP) {
            throw new UsageException((files ? "--files" : "--results")
                    + " keeps each job's output whole: it cannot be combined with --line-buffer or -u");
        }
        if (files && results != null) {
            throw new UsageException("--files and --results cannot be combined");
        }
    }

    /** @return whether jobs come from {@link ArgumentJobs} rather than one line each from stdin or {@code -f} */
    boolean readsArguments(@Nullable Template template) {
        return !sources.isEmpty() || delimiterGiven || colsep != null || header || maxArgs > 0 || contextReplace
                || multiple || replace != null || tagString != null || results != null
                || (template != null && template.usesSlot());
    }

    ArgumentOptions arguments(@Nullable Template template) {
        return new ArgumentOptions(sources, link, delimiter, colsep, header, maxArgs, contextReplace || multiple,
                readsArguments(template));
    }

    Optional<Template> tagTemplate() {
        return tagString == null ? Optional.empty()
                : Optional.of(Template.of(List.of(tagString), replace, Template.Context.SPREAD));
    }

    /**
     * Parses a size: bytes, or with a suffix {@code k m g t} (powers of 1000) or {@code K M G T} (powers of 1024),
     * as GNU parallel's {@code --block} and {@code --memfree}.
     */
    static long size(String option, String text) {
        String t = text.trim();
        if (t.isEmpty()) {
            throw new UsageException(option + " must be a size such as 1M, 512k or 4096, was '" + text + "'");
        }
        char last = t.charAt(t.length() - 1);
        String digits = Character.isLetter(last) ? t.substring(0, t.length() - 1) : t;
        int power = "kmgtp".indexOf(Character.toLowerCase(last)) + 1;
        if (Character.isLetter(last) && power == 0) {
            throw new UsageException(option + " must be a size such as 1M, 512k or 4096, was '" + text + "'");
        }
        long base = Character.isUpperCase(last) ? 1024 : 1000;
        try {
            double amount = Double.parseDouble(digits);
            double bytes = amount * Math.pow(base, power);
            if (amount < 0 || bytes > Long.MAX_VALUE) {
                throw new UsageException(option + " must be a size such as 1M, 512k or 4096, was '" + text + "'");
            }
            return (long) bytes;
        }
        catch (NumberFormatException e) {
            throw new UsageException(option + " must be a size such as 1M, 512k or 4096, was '" + text + "'", e);
        }
    }

    private static double load(String option, String text) {
        String t = text.trim();
        try {
            double value = t.endsWith("%")
                    ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 * Runtime.getRuntime().availableProcessors()
                    : Double.parseDouble(t);
            if (value > 0) {
                return value;
            }
        }
        catch (NumberFormatException e) {
            throw new UsageException(option + " must be a load average above 0 (or a percentage of the CPUs), was '"
                    + text + "'", e);
        }
        throw new UsageException(option + " must be a load average above 0 (or a percentage of the CPUs), was '"
                + text + "'");
    }

    private static int positiveInt(String option, String text) {
        try {
            int n = Integer.parseInt(text.trim());
            if (n >= 1) {
                return n;
            }
        }
        catch (NumberFormatException e) {
            throw new UsageException(option + " must be a whole number >= 1, was '" + text + "'", e);
        }
        throw new UsageException(option + " must be a whole number >= 1, was '" + text + "'");
    }
}
