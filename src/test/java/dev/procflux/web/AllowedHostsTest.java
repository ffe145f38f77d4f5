package dev.procflux.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AllowedHostsTest {
    private final AllowedHosts defaults = AllowedHosts.of(List.of());

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "LOCALHOST:8080", "localhost.", "127.0.0.1", "127.0.0.1:1", "10.1.2.3:80",
        "[::1]", "[::1]:8080", "[fe80::1]:443", "192.168.0.255"})
    void localhostAndIpLiteralsAreAcceptedByDefault(String host) {
        assertThat(defaults.permits(host)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.nip.io",
        "256.0.0.1", "1.2.3", "0x7f.1", "[::1", "[::1]x", "localhost:80:80", "localhost:abc", "", " ",
        "[zz::1]", "a@b"})
    void namesThatAnAttackerCanPointAt127001AreRefused(String host) {
        assertThat(defaults.permits(host)).isFalse();
    }

    @Test
    void aRequestWithoutHostIsNoRebindingAndPasses() {
        assertThat(defaults.permits(null)).isTrue();
    }

    @Test
    void configuredNamesAreAcceptedWithAnyPortAndCase() {
        AllowedHosts hosts = AllowedHosts.of(List.of("procflux.example.com"));
        assertThat(hosts.permits("PROCFLUX.example.com:8443")).isTrue();
        assertThat(hosts.permits("procflux.example.com.")).isTrue();
        assertThat(hosts.permits("sub.procflux.example.com")).isFalse();
        assertThat(hosts.permits("localhost")).isTrue();
    }

    @Test
    void aStarTurnsTheCheckOff() {
        AllowedHosts any = AllowedHosts.of(List.of("*"));
        assertThat(any.isAny()).isTrue();
        assertThat(any.permits("evil.example")).isTrue();
    }

    @Test
    void aNameWithAPortOrAPathIsRefusedAtConfiguration() {
        assertThatThrownBy(() -> AllowedHosts.of(List.of("example.com:8080")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("allowed host must be a host name (without port) or '*', was 'example.com:8080'");
        assertThatThrownBy(() -> AllowedHosts.of(List.of("http://example.com")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
