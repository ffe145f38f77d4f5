package dev.procflux.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a job line into argv the way a POSIX shell splits words, without running a shell: blanks separate words,
 * {@code '...'} is literal, {@code "..."} honours {@code \\ \" \$ \`}, an unquoted backslash quotes the next
 * character, and an unquoted {@code #} at the start of a word starts a comment.
 *
 * <p>What a shell would expand or interpret (unquoted {@code | & ; < > ( )}, and {@code $} or a backquote outside
 * single quotes) is rejected rather than passed on literally: the argv would differ from the shell's, which is the
 * one thing this class promises. Globs ({@code * ? [}) and {@code ~} are passed literally, as a shell does when
 * nothing matches; use {@code --shell} for real shell syntax.
 */
final class WordSplitter {
    private WordSplitter() {
    }

    /**
     * @param line the job line, without its line terminator
     * @param lineNumber the 1-based line number, for the error message
     * @return the words; empty for a blank or comment-only line
     * @throws InvalidJobException for an unbalanced quote or unquoted shell syntax
     */
    static List<String> split(String line, long lineNumber) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        // a word exists once anything (even an empty quote pair) was seen since the last blank
        boolean inWord = false;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            switch (c) {
                case ' ':
                case '\t':
                    if (inWord) {
                        words.add(word.toString());
                        word.setLength(0);
                        inWord = false;
                    }
                    i++;
                    break;
                case '\'': {
                    int close = line.indexOf('\'', i + 1);
                    if (close < 0) {
                        throw new InvalidJobException(lineNumber, "unbalanced single quote at column " + (i + 1)
                                + ": " + line);
                    }
                    word.append(line, i + 1, close);
                    inWord = true;
                    i = close + 1;
                    break;
                }
                case '"':
                    i = doubleQuoted(line, i, word, lineNumber);
                    inWord = true;
                    break;
                case '\\':
                    if (i + 1 < n) {
                        word.append(line.charAt(i + 1));
                        i += 2;
                    }
                    else {
                        // a trailing backslash has nothing to quote: sh keeps it, and so do we
                        word.append('\\');
                        i++;
                    }
                    inWord = true;
                    break;
                case '#':
                    if (!inWord) {
                        return words;
                    }
                    word.append(c);
                    i++;
                    break;
                case '|':
                case '&':
                case ';':
                case '<':
                case '>':
                case '(':
                case ')':
                case '$':
                case '`':
                    throw shellSyntax(lineNumber, c, i, line);
                default:
                    word.append(c);
                    inWord = true;
                    i++;
            }
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }

    /** Appends the content of the double-quoted string opening at {@code open}; returns the index after it. */
    private static int doubleQuoted(String line, int open, StringBuilder word, long lineNumber) {
        int i = open + 1;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < n) {
                char next = line.charAt(i + 1);
                if (next == '\\' || next == '"' || next == '$' || next == '`') {
                    word.append(next);
                    i += 2;
                    continue;
                }
                // POSIX: inside double quotes a backslash before any other character stays
                word.append('\\');
                i++;
                continue;
            }
            if (c == '$' || c == '`') {
                throw shellSyntax(lineNumber, c, i, line);
            }
            word.append(c);
            i++;
        }
        throw new InvalidJobException(lineNumber, "unbalanced double quote at column " + (open + 1) + ": " + line);
    }

    private static InvalidJobException shellSyntax(long lineNumber, char c, int index, String line) {
        String what = c == '$' || c == '`' ? "expansion" : "operator";
        return new InvalidJobException(lineNumber, "shell " + what + " '" + c + "' at column " + (index + 1)
                + " is not run through a shell; quote it, or use --shell: " + line);
    }
}
