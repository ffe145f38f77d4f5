package dev.procflux.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a command whose argv or environment holds raw bytes ({@link SurrogateEscape}) through {@code /bin/sh}, which
 * rebuilds the exact bytes and then {@code exec}s the command: NuProcess encodes every string it passes to
 * {@code execve} as UTF-8 and cannot pass other bytes.
 *
 * <p>The data never reaches the shell's parser. The argv and the environment ({@code NAME=VALUE}) are the shell's
 * positional parameters; one with raw bytes is passed as a {@code printf} format (every byte {@code 0x80..0xFF} as
 * an octal escape, {@code \} and {@code %} doubled, everything else as is) that the fixed script turns back into
 * bytes with {@code v=$(printf "X${n}X")}, the {@code X} sentinels keeping a leading dash from being read as an
 * option and trailing newlines from being stripped by {@code $(...)}. The script names only parameter numbers and
 * variable names. It ends with {@code exec /usr/bin/env -i -- NAME=VALUE... COMMAND ARGS...}: the shell itself
 * runs with an empty environment, and the command gets exactly its own, since a shell would drop the variables
 * whose names it cannot assign and rewrite some of its own ({@code PWD}, {@code IFS}, {@code PPID}, ...).
 *
 * <p>Both {@code exec}s keep the pid, the signal dispositions and the signal mask, so the process the engine
 * watches and kills is the command itself once the shell has run its few builtins. A command without raw bytes is
 * started directly and pays nothing but the scan for them.
 */
final class Trampoline {
    static final String SHELL = "/bin/sh";
    static final String ENV = "/usr/bin/env";

    private Trampoline() {
    }

    /** The argv and environment to hand to NuProcess. */
    record Launch(List<String> argv, Map<String, String> environment) {
    }

    /**
     * @param argv the argv to exec
     * @param environment the variables the command sets: the JVM's own (inherited) environment never holds raw
     *     bytes, since the JVM decoded it
     * @return whether the command needs the trampoline: whether its argv or environment holds raw bytes
     */
    static boolean isNeeded(List<String> argv, Map<String, String> environment) {
        for (String arg : argv) {
            if (SurrogateEscape.hasEscapes(arg)) {
                return true;
            }
        }
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (SurrogateEscape.hasEscapes(e.getKey()) || SurrogateEscape.hasEscapes(e.getValue())) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param argv the argv to exec, possibly with raw bytes
     * @param environment the full environment of the command, possibly with raw bytes
     * @return the launch through {@code /bin/sh} that rebuilds the raw bytes
     * @throws IllegalArgumentException when the executable's name contains {@code =}, which {@code env} would
     *     take for a variable
     */
    static Launch of(List<String> argv, Map<String, String> environment) {
        if (argv.get(0).indexOf('=') >= 0) {
            throw new IllegalArgumentException("an executable whose name contains '=' cannot be given bytes that are "
                    + "not UTF-8");
        }
        List<String> parameters = new ArrayList<>(argv.size() + environment.size());
        parameters.addAll(argv);
        for (Map.Entry<String, String> e : environment.entrySet()) {
            parameters.add(e.getKey() + "=" + e.getValue());
        }
        List<String> shArgv = new ArrayList<>(parameters.size() + 3);
        shArgv.add(SHELL);
        shArgv.add("-c");
        StringBuilder script = new StringBuilder();
        StringBuilder exec = new StringBuilder("exec " + ENV + " -i --");
        List<String> commandWords = new ArrayList<>(argv.size());
        for (int i = 0; i < parameters.size(); i++) {
            String p = parameters.get(i);
            String word;
            if (SurrogateEscape.hasEscapes(p)) {
                parameters.set(i, format(p));
                String v = "v" + i;
                script.append(v).append("=$(printf \"X${").append(i).append("}X\") || exit 126\n")
                        .append(v).append("=${").append(v).append("#X}; ")
                        .append(v).append("=${").append(v).append("%X}\n");
                word = " \"$" + v + "\"";
            }
            else {
                word = " \"${" + i + "}\"";
            }
            if (i < argv.size()) {
                commandWords.add(word);
            }
            else {
                exec.append(word);
            }
        }
        commandWords.forEach(exec::append);
        script.append(exec).append('\n');
        shArgv.add(script.toString());
        shArgv.addAll(parameters);
        return new Launch(List.copyOf(shArgv), Map.of());
    }

    /** @return a {@code printf} format that prints exactly the bytes {@code text} stands for */
    static String format(String text) {
        StringBuilder f = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                f.append("\\\\");
            }
            else if (c == '%') {
                f.append("%%");
            }
            else if (c >= '\uDC80' && c <= '\uDCFF' && (i == 0 || !Character.isHighSurrogate(text.charAt(i - 1)))) {
                f.append('\\').append(Integer.toOctalString(c - '\uDC80' + 0x80));
            }
            else {
                f.append(c);
            }
        }
        return f.toString();
    }
}
