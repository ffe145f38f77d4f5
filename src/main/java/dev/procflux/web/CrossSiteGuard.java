package dev.procflux.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The defence against cross-site request forgery: decides whether a request may have come from a page of
 * another site, from the headers a browser sets and a page cannot forge.
 *
 * <ul>
 * <li>A state-changing request (anything but {@code GET} and {@code HEAD}) is refused when its {@code Origin} is
 * present and is neither the server's own (the {@code Host} it was sent to) nor a configured origin, or when its
 * {@code Sec-Fetch-Site} is {@code cross-site} or {@code same-site} and its origin is not a configured one.</li>
 * <li>A {@code GET} that runs something (a stream) must prove it was not sent by a foreign page: an
 * {@code Authorization} header (a page cannot add one to another site's request without that site's consent in
 * CORS, which this server never gives), or {@code Sec-Fetch-Site: same-origin} or {@code none} (typed by the user).
 * An {@code <img>} or a link on a foreign page has neither.</li>
 * </ul>
 * Clients that are not browsers ({@code curl}, programs) send no {@code Origin} and no {@code Sec-Fetch-Site}:
 * their state-changing requests pass. {@code "*"} as an allowed origin turns the checks off.
 *
 * <p>Immutable and thread-safe.
 */
final class CrossSiteGuard {
    private final boolean off;
    private final Set<String> origins;

    private CrossSiteGuard(boolean off, Set<String> origins) {
        this.off = off;
        this.origins = origins;
    }

    /**
     * @param allowedOrigins origins accepted besides the server's own ({@code https://ui.example.com}), or
     *        {@code "*"} to turn the checks off
     * @return the guard
     * @throws IllegalArgumentException if an origin is not {@code scheme://host[:port]}
     */
    static CrossSiteGuard of(Collection<String> allowedOrigins) {
        Objects.requireNonNull(allowedOrigins, "allowedOrigins");
        boolean off = false;
        Set<String> set = new LinkedHashSet<>();
        for (String origin : allowedOrigins) {
            Objects.requireNonNull(origin, "allowedOrigins[]");
            if (origin.equals("*")) {
                off = true;
                continue;
            }
            String normal = normalizeOrigin(origin);
            if (normal == null) {
                throw new IllegalArgumentException("allowed origin must be scheme://host[:port] or '*', was '"
                        + origin + "'");
            }
            set.add(normal);
        }
        return new CrossSiteGuard(off, Set.copyOf(set));
    }

    /**
     * Checks a state-changing request.
     *
     * @param host the {@code Host} header, or {@code null}
     * @param origin the {@code Origin} header, or {@code null}
     * @param secFetchSite the {@code Sec-Fetch-Site} header, or {@code null}
     * @return {@code null} when the request may proceed, else why it is refused
     */
    @Nullable String refuseStateChange(@Nullable String host, @Nullable String origin, @Nullable String secFetchSite) {
        if (off) {
            return null;
        }
        String normalOrigin = origin == null ? null : normalizeOrigin(origin);
        if (normalOrigin != null && origins.contains(normalOrigin)) {
            return null;
        }
        if (origin != null) {
            if (normalOrigin == null || host == null || !normalOrigin.equals(ownOrigin(normalOrigin, host))) {
                return "cross-origin request refused: Origin '" + shorten(origin) + "' is not this server's origin";
            }
        }
        if (secFetchSite != null && isForeign(secFetchSite)) {
            return "cross-site request refused: Sec-Fetch-Site is '" + shorten(secFetchSite) + "'";
        }
        return null;
    }

    /**
     * Checks a {@code GET} that starts a process.
     *
     * @param host the {@code Host} header, or {@code null}
     * @param origin the {@code Origin} header, or {@code null}
     * @param secFetchSite the {@code Sec-Fetch-Site} header, or {@code null}
     * @param hasAuthorization whether the request carries an {@code Authorization} header
     * @return {@code null} when the request may proceed, else why it is refused
     */
    @Nullable String refuseRunningGet(@Nullable String host, @Nullable String origin, @Nullable String secFetchSite,
            boolean hasAuthorization) {
        if (off) {
            return null;
        }
        String refused = refuseStateChange(host, origin, secFetchSite);
        if (refused != null) {
            return refused;
        }
        String site = secFetchSite == null ? "" : secFetchSite.trim().toLowerCase(Locale.ROOT);
        if (hasAuthorization || site.equals("same-origin") || site.equals("none")
                || (origin != null && origins.contains(normalizeOrigin(origin)))) {
            return null;
        }
        return "a GET starts a stream only with an Authorization header or from this server's own page "
                + "(Sec-Fetch-Site: same-origin); use POST";
    }

    private static boolean isForeign(String secFetchSite) {
        String site = secFetchSite.trim().toLowerCase(Locale.ROOT);
        return !site.equals("same-origin") && !site.equals("none");
    }

    /**
     * The server's own origin as the client addressed it: the {@code Host} header under the scheme of the origin
     * being compared (a front end may end TLS, so the scheme of the server's own socket proves nothing).
     */
    private static @Nullable String ownOrigin(String normalOrigin, String host) {
        String scheme = normalOrigin.substring(0, normalOrigin.indexOf(':'));
        String h = AllowedHosts.hostOf(host);
        if (h == null) {
            return null;
        }
        return normalizeOrigin(scheme + "://" + h + AllowedHosts.portOf(host));
    }

    /** {@code scheme://host[:port]}, lower case, the scheme's default port dropped; {@code null} if malformed. */
    static @Nullable String normalizeOrigin(String origin) {
        URI uri;
        try {
            uri = new URI(origin.trim());
        }
        catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null || host == null || uri.getRawUserInfo() != null
                || (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            return null;
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80)
                || (scheme.equals("https") && port == 443);
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    private static String shorten(String s) {
        return s.length() > 100 ? s.substring(0, 100) + "..." : s;
    }
}
