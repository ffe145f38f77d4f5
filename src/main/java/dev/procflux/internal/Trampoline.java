package dev.procflux.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts a command whose argv or environment holds raw bytes ({@link SurrogateEscape}) through {@code /bin/sh}, which
 * rebuilds the exact bytes and then {@code exec}s the command: NuProcess encodes every string it passes to
 * {@code execve} as UTF-8 and cannot pass other bytes.
 *
 * <p>The data never reaches the shell's parser. The argv and the environment ({@code NAME=VALUE}) are the shell's
 * positional parameters; one that is not ASCII is passed as a {@code printf} format (every byte {@code 0x80..0xFF}
 * as an octal escape, {@code \} and {@code %} doubled, everything else as is) that the fixed script turns back into
 * bytes with {@code v=$(printf "X${n}X")}, the {@code X} sentinels keeping a leading dash from being read as an
 * option and trailing newlines from being stripped by {@code $(...)}. The script names only parameter numbers and
 * variable names. It ends with {@code exec /usr/bin/env -i -- NAME=VALUE... COMMAND ARGS...}: the shell itself
 * runs with an empty environment, and the command gets exactly its own, since a shell would drop the variables
 * whose names it cannot assign and rewrite some of its own ({@code PWD}, {@code IFS}, {@code PPID}, ...).
 *
 * <p>The same way carries text that is not ASCII when the JVM's default charset is not UTF-8 (JDK 17 under the C
 * locale), in which NuProcess would write it as {@code ?}.
 *
 * <p>Both {@code exec}s keep the pid, the signal dispositions and the signal mask, so the process the engine
 * watches and kills is the command itself once the shell has run its few builtins. A command without raw bytes is
 * started directly and pays nothing but the scan for them.
 */
final class Trampoline {
    static final String SHELL = "/bin/sh";
    static final String ENV = "/usr/bin/env";
    /** The index in {@link Launch#argv()} of the parameter that carries the command's first argument. */
    static final int FIRST_PARAMETER = 3;
    // NuProcess encodes argv and environment with the default charset: UTF-8 on JDK 18+, the locale's on JDK 17
    private static final boolean UTF8_DEFAULT = StandardCharsets.UTF_8.equals(Charset.defaultCharset());

    private Trampoline() {
    }

    /** The argv and environment to hand to NuProcess. */
    record Launch(List<String> argv, Map<String, String> environment) {
    }

    /**
     * @param argv the argv to exec
     * @param environment the variables the command sets: the JVM's own (inherited) environment never holds raw
     *     bytes, since the JVM decoded it
     * @return whether the command needs the trampoline: whether its argv or environment holds raw bytes, or text
     *     that is not ASCII while the JVM's default charset (which NuProcess encodes with) is not UTF-8
     */
    static boolean isNeeded(List<String> argv, Map<String, String> environment) {
        for (String arg : argv) {
            if (needsBytes(arg)) {
                return true;
            }
        }
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (needsBytes(e.getKey()) || needsBytes(e.getValue())) {
                return true;
            }
        }
        return false;
    }

    private static boolean needsBytes(String text) {
        return UTF8_DEFAULT ? SurrogateEscape.hasEscapes(text) : !isAscii(text);
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
            if (!isAscii(p)) {
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

    /**
     * @return a {@code printf} format, all ASCII, that prints exactly the bytes {@code text} stands for: every byte
     *     {@code 0x80..0xFF} as an octal escape
     */
    static String format(String text) {
        byte[] bytes = SurrogateEscape.encode(text);
        StringBuilder f = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            if (b == '\\') {
                f.append("\\\\");
            }
            else if (b == '%') {
                f.append("%%");
            }
            else if (b < 0) {
                f.append('\\').append(Integer.toOctalString(b & 0xff));
            }
            else {
                f.append((char) b);
            }
        }
        return f.toString();
    }

    private static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
