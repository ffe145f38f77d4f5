package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CrossSiteGuardTest {
    private final CrossSiteGuard guard = CrossSiteGuard.of(List.of());

    @Test
    void aForeignOriginIsRefused() {
        assertThat(guard.refuseStateChange("127.0.0.1:8080", "http://evil.example", null))
                .isEqualTo("cross-origin request refused: Origin 'http://evil.example' is not this server's origin");
        assertThat(guard.refuseStateChange("127.0.0.1:8080", "http://127.0.0.1:9090", null)).isNotNull();
        assertThat(guard.refuseStateChange("127.0.0.1:8080", "null", null)).isNotNull();
        assertThat(guard.refuseStateChange("127.0.0.1:8080", "http://127.0.0.1:8080/path", null)).isNotNull();
        assertThat(guard.refuseStateChange(null, "http://127.0.0.1:8080", null)).isNotNull();
    }

    @Test
    void theServersOwnOriginPassesWhateverTheDefaultPortSpelling() {
        assertThat(guard.refuseStateChange("127.0.0.1:8080", "http://127.0.0.1:8080", "same-origin")).isNull();
        assertThat(guard.refuseStateChange("LocalHost:8080", "http://localhost:8080", null)).isNull();
        assertThat(guard.refuseStateChange("example.com", "https://example.com", null)).isNull();
        assertThat(guard.refuseStateChange("example.com:443", "https://example.com", null)).isNull();
        assertThat(guard.refuseStateChange("[::1]:8080", "http://[::1]:8080", null)).isNull();
    }

    @Test
    void sameSiteAndCrossSiteFetchesAreRefusedEvenWithoutOrigin() {
        assertThat(guard.refuseStateChange("127.0.0.1:8080", null, "cross-site"))
                .isEqualTo("cross-site request refused: Sec-Fetch-Site is 'cross-site'");
        assertThat(guard.refuseStateChange("127.0.0.1:8080", null, "same-site")).isNotNull();
        assertThat(guard.refuseStateChange("127.0.0.1:8080", null, "none")).isNull();
        assertThat(guard.refuseStateChange("127.0.0.1:8080", null, null)).isNull();
    }

    @Test
    void aGetThatRunsSomethingNeedsProofItCameFromTheServersOwnPage() {
        assertThat(guard.refuseRunningGet("h", null, null, false)).contains("use POST");
        assertThat(guard.refuseRunningGet("h", null, "cross-site", true)).isNotNull();
        assertThat(guard.refuseRunningGet("h", null, null, true)).isNull();
        assertThat(guard.refuseRunningGet("h", null, "same-origin", false)).isNull();
        assertThat(guard.refuseRunningGet("h", null, "none", false)).isNull();
    }

    @Test
    void configuredOriginsPassAndAStarTurnsTheGuardOff() {
        CrossSiteGuard withFrontEnd = CrossSiteGuard.of(List.of("https://ui.example.com"));
        assertThat(withFrontEnd.refuseStateChange("api.internal:8080", "https://UI.example.com:443", "same-site"))
                .isNull();
        assertThat(withFrontEnd.refuseRunningGet("api.internal:8080", "https://ui.example.com", "cross-site", false))
                .isNull();
        assertThat(withFrontEnd.refuseStateChange("api.internal:8080", "https://evil.example.com", null)).isNotNull();
        CrossSiteGuard off = CrossSiteGuard.of(List.of("*"));
        assertThat(off.refuseStateChange("h", "http://evil.example", "cross-site")).isNull();
        assertThat(off.refuseRunningGet("h", null, null, false)).isNull();
    }

    @Test
    void anOriginWithAPathIsRefusedAtConfiguration() {
        assertThatThrownBy(() -> CrossSiteGuard.of(List.of("https://ui.example.com/app")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("allowed origin must be scheme://host[:port] or '*', was 'https://ui.example.com/app'");
    }
}
