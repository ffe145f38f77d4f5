package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class BearerTokenTest {
    private static final String SECRET = "0123456789abcdef";
    private final BearerToken token = new BearerToken(SECRET);

    @Test
    void theSchemeNameIsCaseInsensitiveAndSpacesAfterItAreSkipped() {
        assertThat(token.matches("Bearer " + SECRET)).isTrue();
        assertThat(token.matches("bearer " + SECRET)).isTrue();
        assertThat(token.matches("BEARER   " + SECRET)).isTrue();
    }

    @Test
    void anythingElseIsRefused() {
        assertThat(token.matches(null)).isFalse();
        assertThat(token.matches("")).isFalse();
        assertThat(token.matches("Bearer")).isFalse();
        assertThat(token.matches("Bearer ")).isFalse();
        assertThat(token.matches(SECRET)).isFalse();
        assertThat(token.matches("Basic " + SECRET)).isFalse();
        assertThat(token.matches("Bearer" + SECRET)).isFalse();
        assertThat(token.matches("Bearer " + SECRET + "x")).isFalse();
        assertThat(token.matches("Bearer " + SECRET.substring(1))).isFalse();
        assertThat(token.matches("Bearer " + SECRET.toUpperCase(java.util.Locale.ROOT))).isFalse();
    }

    @Test
    void shortTokensAndTokensWithWhitespaceAreRefusedAndToStringHidesTheToken() {
        assertThatThrownBy(() -> new BearerToken("short")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bearer token must have at least 16 characters, had 5");
        assertThatThrownBy(() -> new BearerToken("0123456789 abcdef")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bearer token must not contain whitespace");
        assertThat(token).hasToString("BearerToken[redacted]");
    }
}
