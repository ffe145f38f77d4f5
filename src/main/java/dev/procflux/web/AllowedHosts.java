package dev.procflux.web;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The {@code Host} header values a server answers: the defence against DNS rebinding, where a page whose name
 * an attacker re-points to 127.0.0.1 would otherwise read the server's answers as its own origin.
 *
 * <p>Always accepted: {@code localhost} and IP literals (a browser that sends an IP literal was pointed at that
 * address, so no attacker's name is involved), plus the configured names. A request without a {@code Host} header
 * is accepted: every browser sends one, so its absence is no rebinding. The port is not compared: the connection
 * reached this server's port whatever the header says. {@code "*"} turns the check off.
 *
 * <p>Immutable and thread-safe.
 */
final class AllowedHosts {
    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]{2,45}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private final boolean any;
    private final Set<String> names;

    private AllowedHosts(boolean any, Set<String> names) {
        this.any = any;
        this.names = names;
    }

    /**
     * @param names host names accepted besides {@code localhost} and IP literals, or {@code "*"} for any
     * @return the check
     * @throws IllegalArgumentException if a name is not a valid host name
     */
    static AllowedHosts of(Collection<String> names) {
        Objects.requireNonNull(names, "names");
        Set<String> set = new LinkedHashSet<>();
        set.add("localhost");
        boolean any = false;
        for (String name : names) {
            Objects.requireNonNull(name, "names[]");
            if (name.equals("*")) {
                any = true;
                continue;
            }
            String host = normalize(name);
            if (host == null || !NAME.matcher(host).matches()) {
                throw new IllegalArgumentException("allowed host must be a host name (without port) or '*', was '"
                        + name + "'");
            }
            set.add(host);
        }
        return new AllowedHosts(any, Set.copyOf(set));
    }

    /** @return whether every host is accepted */
    boolean isAny() {
        return any;
    }

    /**
     * @param hostHeader the request's {@code Host} header, or {@code null} when it has none
     * @return whether the request may be answered
     */
    boolean permits(@Nullable String hostHeader) {
        if (any || hostHeader == null) {
            return true;
        }
        String host = hostOf(hostHeader);
        if (host == null) {
            return false;
        }
        if (host.startsWith("[")) {
            return IPV6.matcher(host.substring(1, host.length() - 1)).matches();
        }
        return IPV4.matcher(host).matches() || names.contains(host);
    }

    /**
     * The host part of a {@code Host} header, lower case, without a port or a final dot; IPv6 literals keep their
     * brackets. {@code null} when the header is malformed.
     */
    static @Nullable String hostOf(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0) {
                return null;
            }
            String rest = h.substring(close + 1);
            if (!rest.isEmpty() && !isPort(rest)) {
                return null;
            }
            return h.substring(0, close + 1);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            if (!isPort(h.substring(colon))) {
                return null;
            }
            h = h.substring(0, colon);
        }
        return normalize(h);
    }

    /** The port part of a {@code Host} header ({@code ":8080"}), or {@code ""} when it names none. */
    static String portOf(String hostHeader) {
        String h = hostHeader.trim();
        int from = h.startsWith("[") ? h.indexOf(']') + 1 : 0;
        int colon = h.indexOf(':', from);
        return colon < 0 ? "" : h.substring(colon);
    }

    private static boolean isPort(String s) {
        return s.length() >= 2 && s.length() <= 6 && s.charAt(0) == ':'
                && s.substring(1).chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static @Nullable String normalize(String name) {
        String h = name.trim().toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        return h.isEmpty() ? null : h;
    }

    @Override
    public String toString() {
        return any ? "*" : names + " and IP literals";
    }
}
