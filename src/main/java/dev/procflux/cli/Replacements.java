package dev.procflux.cli;

/**
 * What a replacement string does to its value: GNU parallel's modifiers ({@code {.}} without extension,
 * {@code {/}} base name, {@code {//}} directory, {@code {/.}} base name without extension) and quoting for the
 * shell.
 */
final class Replacements {
    private Replacements() {
    }

    /** @param modifier {@code ""}, {@code "."}, {@code "/"}, {@code "//"} or {@code "/."} */
    static String modify(String value, String modifier) {
        switch (modifier) {
            case "":
                return value;
            case ".":
                return withoutExtension(value);
            case "/":
                return basename(value);
            case "//":
                return dirname(value);
            default:
                return withoutExtension(basename(value));
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

    /** @return {@code value} as one shell word: as is when it is plain ASCII, otherwise single-quoted (as GNU parallel) */
    static String shellQuote(String value) {
        if (!value.isEmpty() && value.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9') || "@%+=:,./_-".indexOf(c) >= 0)) {
            return value;
        }
        return "'" + value.replace("'", "'\\''") + "'";
    }
}
