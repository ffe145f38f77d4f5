package dev.procflux.web;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The argv template of an {@link Action}: an element that is exactly {@code {param}} is replaced by the
 * parameter's checked value, as one whole element. Checked when built: a placeholder inside a longer element, as
 * the executable, or naming no parameter is refused, and so is a parameter that no placeholder uses.
 */
final class ActionTemplate {
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z_][A-Za-z0-9_]*)\\}");

    private ActionTemplate() {
    }

    /**
     * @return an unmodifiable copy of {@code command}
     * @throws IllegalArgumentException if it is empty
     */
    static List<String> copy(String action, List<String> command) {
        Objects.requireNonNull(command, "command");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("action '" + action + "': command must not be empty");
        }
        List<String> copy = new ArrayList<>(command.size());
        for (String element : command) {
            copy.add(Objects.requireNonNull(element, "command[]"));
        }
        return Collections.unmodifiableList(copy);
    }

    /**
     * @throws IllegalArgumentException if a placeholder is not a whole argv element, is the executable, or names
     *         no declared parameter, or if a declared parameter is not used
     */
    static void check(String action, List<String> template, Set<String> declared) {
        Set<String> used = new LinkedHashSet<>();
        for (int i = 0; i < template.size(); i++) {
            String element = template.get(i);
            Matcher whole = PLACEHOLDER.matcher(element);
            if (whole.matches()) {
                if (i == 0) {
                    throw new IllegalArgumentException("action '" + action
                            + "': the executable must not be a placeholder, was " + element);
                }
                String param = whole.group(1);
                if (!declared.contains(param)) {
                    throw new IllegalArgumentException("action '" + action + "': placeholder " + element
                            + " names no declared parameter; declared: " + declared);
                }
                used.add(param);
            }
            else if (PLACEHOLDER.matcher(element).find()) {
                throw new IllegalArgumentException("action '" + action
                        + "': a placeholder must be a whole argv element, was '" + element + "'");
            }
        }
        for (String name : declared) {
            if (!used.contains(name)) {
                throw new IllegalArgumentException("action '" + action + "': parameter '" + name
                        + "' is declared but not used in " + template);
            }
        }
    }

    /**
     * Checks every value against its parameter, then substitutes them into the template.
     *
     * @throws InvalidParameterException if a value breaks its rule, a required parameter is missing, or a name is
     *         not a parameter of the action
     */
    static List<String> argv(String action, List<String> template, Map<String, Parameter> parameters,
            Map<String, String> values) {
        for (String given : values.keySet()) {
            if (!parameters.containsKey(given)) {
                String shown = given.length() > 64 ? given.substring(0, 64) + "..." : given;
                throw new InvalidParameterException(shown, "unknown", "action '" + action + "' has no parameter '"
                        + shown + "'; it has " + parameters.keySet());
            }
        }
        Map<String, String> resolved = new LinkedHashMap<>();
        for (Parameter p : parameters.values()) {
            resolved.put(p.name(), p.resolve(values.get(p.name())));
        }
        List<String> argv = new ArrayList<>(template.size());
        for (String element : template) {
            Matcher m = PLACEHOLDER.matcher(element);
            argv.add(m.matches() ? Objects.requireNonNull(resolved.get(m.group(1))) : element);
        }
        return argv;
    }
}
