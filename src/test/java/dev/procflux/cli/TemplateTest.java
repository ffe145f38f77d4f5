package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TemplateTest {

    @Test
    void eachReplacementStringIsReplacedAsInGnuParallel() {
        Template t = Template.of(List.of("convert", "{}", "{.}.jpg", "{/}", "{//}", "{/.}", "job-{#}"));
        assertThat(t.expand("photos/2024/beach.png", 42)).containsExactly("convert", "photos/2024/beach.png",
                "photos/2024/beach.jpg", "beach.png", "photos/2024", "beach", "job-42");
    }

    @Test
    void theLineIsAppendedWhenTheTemplateHasNoReplacementString() {
        assertThat(Template.of(List.of("gzip", "-9")).expand("a b.log", 1)).containsExactly("gzip", "-9", "a b.log");
    }

    @Test
    void aJobNumberAloneCountsAsAReplacementSoNothingIsAppended() {
        assertThat(Template.of(List.of("echo", "{#}")).expand("x", 3)).containsExactly("echo", "3");
    }

    @Test
    void aLineWithSpacesAndQuotesStaysOneArgument() {
        assertThat(Template.of(List.of("echo", "<{}>")).expand("it's \"quoted\" text", 1))
                .containsExactly("echo", "<it's \"quoted\" text>");
    }

    @Test
    void extensionRemovalTouchesOnlyTheLastPathComponent() {
        assertThat(Replacements.withoutExtension("dir.d/file")).isEqualTo("dir.d/file");
        assertThat(Replacements.withoutExtension("a.tar.gz")).isEqualTo("a.tar");
        assertThat(Replacements.withoutExtension(".profile")).isEqualTo(".profile");
        assertThat(Replacements.dirname("file")).isEqualTo(".");
        assertThat(Replacements.dirname("/file")).isEqualTo("/");
    }

    @Test
    void forTheShellSubstitutedValuesAreSingleQuotedSoTheyStayOneWord() {
        Template t = Template.of(List.of("wc", "-c", "{}", "|", "tr", "-d", "' '"));
        assertThat(t.expandForShell("it's a file", 1)).isEqualTo("wc -c 'it'\\''s a file' | tr -d ' '");
        assertThat(Template.of(List.of("echo")).expandForShell("plain.txt", 1)).isEqualTo("echo plain.txt");
    }

    @Test
    void anEmptyTemplateIsAUsageError() {
        assertThatThrownBy(() -> Template.of(List.of()))
                .isInstanceOf(UsageException.class)
                .hasMessage("the command template is empty");
    }
}
