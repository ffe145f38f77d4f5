package dev.procflux.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A command template with GNU parallel's replacement strings. Each one stands for the job's arguments, or one of
 * them, optionally transformed:
 * <ul>
 * <li>{@code {}} all the job's arguments; {@code {1}}, {@code {2}} … one argument by position (empty when the job
 * has fewer); {@code {name}} the argument in the column called {@code name} by {@code --header :};
 * <li>a modifier after the position (or alone: {@code {.}}) transforms the value: {@code .} drops the extension,
 * {@code /} keeps the basename, {@code //} the dirname, {@code /.} the basename without extension;
 * <li>{@code {#}} the job number, {@code {%}} the job slot (1 to {@code -j}, known only when the job starts).
 * </ul>
 * A template without any replacement string gets the arguments appended, as in GNU parallel. {@code -I STR} makes
 * {@code STR} stand for {@code {}}.
 *
 * <p>Substitution happens inside each argv element, so an argument with spaces stays one argument (GNU parallel
 * quotes it for the shell to the same effect). When a job has several arguments ({@code -n}, {@code -m},
 * {@code -X}, several sources), an element that is just {@code {}} becomes one element per argument; an element
 * with text around {@code {}} becomes what the shell would make of GNU parallel's line: with {@code -X} the text is
 * repeated around each argument ({@code pre{}post} gives {@code preapost prebpost}), otherwise the arguments are
 * spread as separate words with the text on the first and the last ({@code prea bpost}). Immutable.
 */
final class Template {
    private static final Pattern REPLACEMENT =
            Pattern.compile("\\{(#|%|(?:(\\d+)|([A-Za-z_][A-Za-z0-9_]*))?(\\.|/|//|/\\.)?)}");

    /** How an element with text around {@code {}} expands for several arguments. */
    enum Context {
        /** {@code -m} and the default: the arguments become separate words, the text stays at the ends. */
        SPREAD,
        /** {@code -X}: the text is repeated around each argument. */
        REPEAT
    }

    /** One parsed piece of an argv element. */
    private sealed interface Piece permits Text, All, Position, Named, Seq, Slot {
    }

    private record Text(String text) implements Piece {
    }

    private record All(String modifier) implements Piece {
    }

    private record Position(int position, String modifier) implements Piece {
    }

    /** A {@code {name}}: a column when the header has that name, otherwise the literal text (awk's {@code {print}}). */
    private record Named(String name, String modifier, String literal) implements Piece {
    }

    private record Seq() implements Piece {
    }

    private record Slot() implements Piece {
    }

    private final List<String> source;
    private final List<List<Piece>> parts;
    private final Map<String, Integer> header;
    private final Context context;
    private final boolean appendsInput;
    private final boolean usesSlot;

    private Template(List<String> source, List<List<Piece>> parts, Map<String, Integer> header, Context context) {
        this.source = source;
        this.parts = parts;
        this.header = header;
        this.context = context;
        boolean replacement = false;
        boolean slot = false;
        for (List<Piece> part : parts) {
            for (Piece p : part) {
                replacement |= !(p instanceof Text) && !(p instanceof Named n && !header.containsKey(n.name()));
                slot |= p instanceof Slot;
            }
        }
        this.appendsInput = !replacement;
        this.usesSlot = slot;
    }

    /**
     * @param parts the template's argv, at least one element
     * @return the template, with {@code {}} as the replacement string for all arguments
     * @throws UsageException if {@code parts} is empty
     */
    static Template of(List<String> parts) {
        return of(parts, null, Context.SPREAD);
    }

    /**
     * @param parts the template's argv, at least one element
     * @param replace what stands for {@code {}} ({@code -I}), or null for {@code {}}
     * @param context how text around {@code {}} expands for several arguments
     * @return the template
     * @throws UsageException if {@code parts} is empty or {@code replace} is empty
     */
    static Template of(List<String> parts, @Nullable String replace, Context context) {
        if (parts.isEmpty()) {
            throw new UsageException("the command template is empty");
        }
        if (replace != null && replace.isEmpty()) {
            throw new UsageException("-I needs a non-empty replacement string");
        }
        List<List<Piece>> parsed = new ArrayList<>(parts.size());
        for (String part : parts) {
            parsed.add(parse(part, replace));
        }
        return new Template(List.copyOf(parts), List.copyOf(parsed), Map.of(), context);
    }

    /** @return this template with {@code {name}} bound to the header's columns (0-based positions) */
    Template withHeader(Map<String, Integer> names) {
        return new Template(source, parts, Map.copyOf(names), context);
    }

    private static List<Piece> parse(String part, @Nullable String replace) {
        List<Piece> pieces = new ArrayList<>();
        if (replace != null) {
            // with -I the replacement string takes the place of {}; the other forms keep working
            int from = 0;
            int at;
            while ((at = part.indexOf(replace, from)) >= 0) {
                parseBraces(part.substring(from, at), pieces, false);
                pieces.add(new All(""));
                from = at + replace.length();
            }
            parseBraces(part.substring(from), pieces, false);
        }
        else {
            parseBraces(part, pieces, true);
        }
        return List.copyOf(pieces);
    }

    private static void parseBraces(String text, List<Piece> pieces, boolean emptyBracesAreAll) {
        Matcher m = REPLACEMENT.matcher(text);
        int last = 0;
        while (m.find()) {
            Piece p;
            String whole = m.group(1);
            String modifier = m.group(4) == null ? "" : m.group(4);
            if (whole.equals("#")) {
                p = new Seq();
            }
            else if (whole.equals("%")) {
                p = new Slot();
            }
            else if (m.group(2) != null) {
                int position = Integer.parseInt(m.group(2));
                if (position < 1) {
                    continue;
                }
                p = new Position(position, modifier);
            }
            else if (m.group(3) != null) {
                p = new Named(m.group(3), modifier, m.group());
            }
            else if (!emptyBracesAreAll) {
                continue;
            }
            else {
                p = new All(modifier);
            }
            if (m.start() > last) {
                pieces.add(new Text(text.substring(last, m.start())));
            }
            pieces.add(p);
            last = m.end();
        }
        if (last < text.length()) {
            pieces.add(new Text(text.substring(last)));
        }
    }

    /** @return whether the template uses {@code {%}}, which is known only when the job starts */
    boolean usesSlot() {
        return usesSlot;
    }

    /** @return the argv for one job with one argument, in slot 1 */
    List<String> expand(String input, long jobNumber) {
        return expand(List.of(input), jobNumber, 1);
    }

    /**
     * @param args the job's arguments, at least one
     * @param jobNumber {@code {#}}
     * @param slot {@code {%}}
     * @return the argv for one job
     */
    List<String> expand(List<String> args, long jobNumber, int slot) {
        List<String> argv = new ArrayList<>(parts.size() + args.size());
        for (List<Piece> part : parts) {
            expandPart(part, args, jobNumber, slot, false, argv);
        }
        if (appendsInput) {
            argv.addAll(args);
        }
        return argv;
    }

    /** The shell script for one job with one argument, in slot 1. */
    String expandForShell(String input, long jobNumber) {
        return expandForShell(List.of(input), jobNumber, 1);
    }

    /**
     * The script for {@code sh -c}: the parts joined with spaces, each substituted value single-quoted so the
     * shell sees each argument as one word, whatever it contains.
     */
    String expandForShell(List<String> args, long jobNumber, int slot) {
        List<String> words = new ArrayList<>(parts.size() + args.size());
        for (List<Piece> part : parts) {
            expandPart(part, args, jobNumber, slot, true, words);
        }
        if (appendsInput) {
            for (String a : args) {
                words.add(Replacements.shellQuote(a));
            }
        }
        return String.join(" ", words);
    }

    /**
     * Expands a string such as {@code --tagstring}: every replacement string is replaced, several arguments are
     * joined with spaces, and nothing is appended.
     */
    String expandText(List<String> args, long jobNumber, int slot) {
        List<String> words = new ArrayList<>();
        for (List<Piece> part : parts) {
            expandPart(part, args, jobNumber, slot, false, words);
        }
        return String.join(" ", words);
    }

    private void expandPart(List<Piece> part, List<String> args, long jobNumber, int slot, boolean quote,
            List<String> out) {
        int all = -1;
        for (int i = 0; i < part.size(); i++) {
            if (part.get(i) instanceof All) {
                if (all >= 0) {
                    // two {} in one element: join the arguments with spaces in both places
                    all = -2;
                    break;
                }
                all = i;
            }
        }
        if (all < 0 || args.size() == 1) {
            out.add(substitute(part, args, jobNumber, slot, quote, -1, null));
            return;
        }
        String modifier = ((All) part.get(all)).modifier();
        List<String> values = new ArrayList<>(args.size());
        for (String a : args) {
            values.add(quoted(Replacements.modify(a, modifier), quote));
        }
        if (context == Context.REPEAT) {
            for (String v : values) {
                out.add(substitute(part, args, jobNumber, slot, quote, all, v));
            }
            return;
        }
        if (values.isEmpty()) {
            out.add(substitute(part, args, jobNumber, slot, quote, all, ""));
            return;
        }
        String prefix = substitute(part.subList(0, all), args, jobNumber, slot, quote, -1, null);
        String suffix = substitute(part.subList(all + 1, part.size()), args, jobNumber, slot, quote, -1, null);
        if (values.size() == 1) {
            out.add(prefix + values.get(0) + suffix);
            return;
        }
        out.add(prefix + values.get(0));
        out.addAll(values.subList(1, values.size() - 1));
        out.add(values.get(values.size() - 1) + suffix);
    }

    /** @param fixedAll the index of the {@code {}} piece given {@code fixedValue}, or -1 */
    private String substitute(List<Piece> part, List<String> args, long jobNumber, int slot, boolean quote,
            int fixedAll, @Nullable String fixedValue) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < part.size(); i++) {
            Piece p = part.get(i);
            if (i == fixedAll) {
                sb.append(fixedValue);
            }
            else if (p instanceof Text t) {
                sb.append(t.text());
            }
            else if (p instanceof All a) {
                StringBuilder joined = new StringBuilder();
                for (String arg : args) {
                    if (joined.length() > 0) {
                        joined.append(' ');
                    }
                    joined.append(quoted(Replacements.modify(arg, a.modifier()), quote));
                }
                sb.append(joined);
            }
            else if (p instanceof Position pos) {
                String v = pos.position() <= args.size() ? args.get(pos.position() - 1) : "";
                sb.append(quoted(Replacements.modify(v, pos.modifier()), quote));
            }
            else if (p instanceof Named n) {
                Integer column = header.get(n.name());
                if (column == null) {
                    sb.append(n.literal());
                }
                else {
                    String v = column < args.size() ? args.get(column) : "";
                    sb.append(quoted(Replacements.modify(v, n.modifier()), quote));
                }
            }
            else if (p instanceof Seq) {
                sb.append(jobNumber);
            }
            else {
                sb.append(slot);
            }
        }
        return sb.toString();
    }

    private static String quoted(String value, boolean quote) {
        return quote ? Replacements.shellQuote(value) : value;
    }

    @Override
    public String toString() {
        return String.join(" ", source) + (appendsInput ? " {}" : "");
    }
}
