package dev.procflux.web;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A parameter whose value must be one of a fixed list. Create with {@link Parameter#oneOf}.
 *
 * @param common the rules every parameter has
 * @param values the allowed values, at least one; unmodifiable
 */
public record EnumParameter(Common common, List<String> values) implements Parameter {
    /**
     * @param common the rules every parameter has
     * @param values the allowed values, at least one; copied
     * @throws IllegalArgumentException if no value is given, or a value starts with {@code -} while
     *         {@link Common#allowsLeadingDash()} is false
     */
    public EnumParameter {
        Objects.requireNonNull(common, "common");
        values = copy(common.name(), values);
        if (!common.allowsLeadingDash()) {
            for (String v : values) {
                if (v.startsWith("-")) {
                    throw new IllegalArgumentException("parameter '" + common.name() + "': enum value '" + v
                            + "' starts with '-': set allowLeadingDash");
                }
            }
        }
    }

    static List<String> copy(String name, List<String> values) {
        Objects.requireNonNull(values, "values");
        if (values.isEmpty()) {
            throw new IllegalArgumentException("parameter '" + name + "': an enum needs at least one value");
        }
        List<String> copy = new ArrayList<>(values.size());
        for (String v : values) {
            copy.add(Objects.requireNonNull(v, "values[]"));
        }
        return Collections.unmodifiableList(copy);
    }

    @Override
    public String ruleDescription() {
        return "must be one of " + values;
    }

    @Override
    public String resolve(@Nullable String value) {
        String v = common.check(value, false);
        if (!values.contains(v)) {
            throw common.invalid("enum", ruleDescription());
        }
        return v;
    }

    @Override
    public String toString() {
        return common.describe("ENUM", ruleDescription());
    }
}
