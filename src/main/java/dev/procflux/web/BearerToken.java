package dev.procflux.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The bearer token a server requires: checks {@code Authorization: Bearer TOKEN} headers.
 *
 * <p>The scheme name is matched without regard to case (RFC 9110, section 11.1), then one or more spaces, then
 * the token. The tokens are compared as SHA-256 digests with {@link MessageDigest#isEqual}, so the time taken
 * depends neither on where they differ nor on their lengths. Immutable and thread-safe.
 */
final class BearerToken {
    private static final String SCHEME = "bearer";
    private final byte[] expected;

    /**
     * @param token the token, at least 16 characters
     * @throws IllegalArgumentException if the token is shorter than 16 characters or contains whitespace
     */
    BearerToken(String token) {
        Objects.requireNonNull(token, "token");
        if (token.length() < 16) {
            throw new IllegalArgumentException("bearer token must have at least 16 characters, had "
                    + token.length());
        }
        if (token.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("bearer token must not contain whitespace");
        }
        this.expected = sha256(token);
    }

    /**
     * @param authorization the request's {@code Authorization} header, or {@code null}
     * @return whether it carries this token
     */
    boolean matches(@Nullable String authorization) {
        String given = "";
        if (authorization != null && authorization.length() > SCHEME.length()
                && authorization.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)
                && authorization.charAt(SCHEME.length()) == ' ') {
            given = authorization.substring(SCHEME.length()).stripLeading().stripTrailing();
        }
        // compared even when the header is malformed, so that the time taken says nothing about the header
        return MessageDigest.isEqual(expected, sha256(given)) && !given.isEmpty();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[redacted]";
    }
}
