package dev.procflux.web;

import dev.procflux.Command;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The environment an {@link Action} grants its runs: only the server's variables it names, then its own. The rest
 * of the server's environment, its secrets included, never reaches a run.
 */
final class ActionEnvironment {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private ActionEnvironment() {
    }

    /**
     * @return {@code name}
     * @throws IllegalArgumentException if it is not a valid variable name
     */
    static String checkName(String action, String name) {
        Objects.requireNonNull(name, "name");
        if (!ENV_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("action '" + action + "': environment variable name must match "
                    + ENV_NAME.pattern() + ", was '" + name + "'");
        }
        return name;
    }

    /**
     * @param command a command that inherits nothing
     * @param inherited the names of the server's variables to pass, when the server has them
     * @param env the variables to set, over the inherited ones
     */
    static Command apply(Command command, Set<String> inherited, Map<String, String> env) {
        Command result = command;
        Map<String, String> server = System.getenv();
        for (String name : inherited) {
            String value = server.get(name);
            if (value != null) {
                result = result.withEnv(name, value);
            }
        }
        for (Map.Entry<String, String> e : env.entrySet()) {
            result = result.withEnv(e.getKey(), e.getValue());
        }
        return result;
    }
}
