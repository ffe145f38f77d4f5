package dev.procflux.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A command template with GNU parallel's replacement strings: {@code {}} the input line, {@code {.}} the line
 * without its extension, {@code {/}} its basename, {@code {//}} its dirname, {@code {/.}} the basename without
 * extension and {@code {#}} the job number. A template without any replacement string gets the line appended as
 * its last argument, as in GNU parallel.
 *
 * <p>Substitution happens inside each argv element, so an input line with spaces stays one argument (GNU parallel
 * quotes it for the shell to the same effect). Immutable.
 */
final class Template {
    private static final Pattern REPLACEMENT = Pattern.compile("\\{(|\\.|/|//|/\\.|#)}");

    private final List<String> parts;
    private final boolean appendsInput;

    private Template(List<String> parts, boolean appendsInput) {
        this.parts = parts;
        this.appendsInput = appendsInput;
    }

    /**
     * @param parts the template's argv, at least one element
     * @return the template
     * @throws UsageException if {@code parts} is empty
     */
    static Template of(List<String> parts) {
        if (parts.isEmpty()) {
            throw new UsageException("the command template is empty");
        }
        boolean hasReplacement = parts.stream().anyMatch(p -> REPLACEMENT.matcher(p).find());
        return new Template(List.copyOf(parts), !hasReplacement);
    }

    /** @return the argv for one job */
    List<String> expand(String input, long jobNumber) {
        List<String> argv = new ArrayList<>(parts.size() + 1);
        for (String part : parts) {
            argv.add(substitute(part, input, jobNumber, false));
        }
        if (appendsInput) {
            argv.add(input);
        }
        return argv;
    }

    /**
     * The script for {@code sh -c}: the parts joined with spaces, each substituted value single-quoted so the
     * shell sees the input as one word, whatever it contains.
     */
    String expandForShell(String input, long jobNumber) {
        StringBuilder script = new StringBuilder();
        for (String part : parts) {
            if (script.length() > 0) {
                script.append(' ');
            }
            script.append(substitute(part, input, jobNumber, true));
        }
        if (appendsInput) {
            script.append(' ').append(shellQuote(input));
        }
        return script.toString();
    }

    private static String substitute(String part, String input, long jobNumber, boolean quote) {
        Matcher m = REPLACEMENT.matcher(part);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = value(m.group(1), input, jobNumber);
            m.appendReplacement(sb, Matcher.quoteReplacement(quote ? shellQuote(value) : value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static String value(String kind, String input, long jobNumber) {
        switch (kind) {
            case "":
                return input;
            case ".":
                return withoutExtension(input);
            case "/":
                return basename(input);
            case "//":
                return dirname(input);
            case "/.":
                return withoutExtension(basename(input));
            default:
                return Long.toString(jobNumber);
        }
    }

    static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    static String dirname(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) {
            return ".";
        }
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    /**
     * Removes the extension of the last path component only: {@code dir.d/file} has none, and neither has a
     * hidden file such as {@code .profile}.
     */
    static String withoutExtension(String path) {
        int dot = path.lastIndexOf('.');
        return dot > path.lastIndexOf('/') + 1 ? path.substring(0, dot) : path;
    }

    static String shellQuote(String value) {
        if (!value.isEmpty()
                && value.chars().allMatch(c -> Character.isLetterOrDigit(c) || "@%+=:,./_-".indexOf(c) >= 0)) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }

    @Override
    public String toString() {
        return String.join(" ", parts) + (appendsInput ? " {}" : "");
    }
}
