package dev.procflux.internal;

import dev.procflux.Command;
import java.util.List;

/** How a {@link Command} reads in messages and logs: its argv quoted as a shell would, its environment redacted. */
final class CommandText {
    private CommandText() {
    }

    /** The argv joined by spaces; an element that is empty or holds blanks, quotes or backslashes is single-quoted. */
    static String commandLine(List<String> argv) {
        StringBuilder sb = new StringBuilder();
        for (String arg : argv) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            if (arg.isEmpty() || arg.chars().anyMatch(c -> c <= ' ' || c == '\'' || c == '"' || c == '\\')) {
                sb.append('\'').append(arg.replace("'", "'\\''").replace("\0", "\\0")).append('\'');
            }
            else {
                sb.append(arg);
            }
        }
        return sb.toString();
    }

    /** The command line and every setting that differs from the default, environment values redacted. */
    static String describe(Command c) {
        StringBuilder sb = new StringBuilder("Command[").append(c.commandLine());
        c.directory().ifPresent(d -> sb.append(", directory=").append(d));
        if (!c.environment().isEmpty()) {
            // values often hold secrets
            sb.append(", env=").append(c.environment().keySet()).append("(values redacted)");
        }
        if (!c.inheritsEnvironment()) {
            sb.append(", inheritEnv=false");
        }
        c.timeout().ifPresent(t -> sb.append(", timeout=").append(t));
        c.stdin().ifPresent(b -> sb.append(", stdin=").append(b.remaining()).append(" bytes"));
        if (c.stdinPublisher().isPresent()) {
            sb.append(", stdin=publisher");
        }
        if (c.hasParentDeathSignal()) {
            sb.append(", parentDeathSignal");
        }
        return sb.append(']').toString();
    }
}
