package dev.procflux.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class WordSplitterTest {

    @Test
    void blanksSeparateWordsAndRunsOfBlanksCountAsOne() {
        assertThat(WordSplitter.split("  echo \t a   b  ", 1)).containsExactly("echo", "a", "b");
    }

    @Test
    void singleQuotesKeepEverythingLiterallyIncludingBackslashesAndDoubleQuotes() {
        assertThat(WordSplitter.split("printf '%s\\n' 'a \"b\" $c'", 1))
                .containsExactly("printf", "%s\\n", "a \"b\" $c");
    }

    @Test
    void doubleQuotesHonourOnlyTheFourPosixEscapesAndKeepOtherBackslashes() {
        assertThat(WordSplitter.split("echo \"a \\\"b\\\" \\\\ \\$ \\` \\n\"", 1))
                .containsExactly("echo", "a \"b\" \\ $ ` \\n");
    }

    @Test
    void anUnquotedBackslashQuotesTheNextCharacter() {
        assertThat(WordSplitter.split("echo a\\ b \\'c\\' \\\\", 1)).containsExactly("echo", "a b", "'c'", "\\");
    }

    @Test
    void aTrailingBackslashIsKeptAsShDoes() {
        assertThat(WordSplitter.split("echo a\\", 1)).containsExactly("echo", "a\\");
    }

    @Test
    void adjacentQuotedAndUnquotedPartsFormOneWord() {
        assertThat(WordSplitter.split("echo pre'mid dle'\"post\"fix", 1)).containsExactly("echo", "premid dlepostfix");
    }

    @Test
    void emptyQuotesProduceAnEmptyArgument() {
        assertThat(WordSplitter.split("printf '[%s]' '' \"\"", 1)).containsExactly("printf", "[%s]", "", "");
    }

    @Test
    void unicodeIsKeptIntactInsideAndOutsideQuotes() {
        assertThat(WordSplitter.split("echo héllo 'wörld ✓' \"日本語 😀\" 😀x", 1))
                .containsExactly("echo", "héllo", "wörld ✓", "日本語 😀", "😀x");
    }

    @Test
    void aHashAtTheStartOfAWordStartsACommentButNotInsideAWord() {
        assertThat(WordSplitter.split("echo a#b # the rest", 1)).containsExactly("echo", "a#b");
        assertThat(WordSplitter.split("# a comment line", 1)).isEmpty();
        assertThat(WordSplitter.split("echo '#quoted'", 1)).containsExactly("echo", "#quoted");
    }

    @Test
    void aBlankLineHasNoWords() {
        assertThat(WordSplitter.split(" \t ", 1)).isEmpty();
    }

    @Test
    void globsAndTildeArePassedLiterally() {
        assertThat(WordSplitter.split("ls *.txt ~ [ab]?", 1)).containsExactly("ls", "*.txt", "~", "[ab]?");
    }

    @Test
    void anUnbalancedSingleQuoteFailsNamingTheLineAndColumn() {
        assertThatThrownBy(() -> WordSplitter.split("echo 'oops", 7))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("line 7: unbalanced single quote at column 6: echo 'oops")
                .satisfies(e -> assertThat(((InvalidJobException) e).lineNumber()).isEqualTo(7));
    }

    @Test
    void anUnbalancedDoubleQuoteFailsNamingTheLineAndColumn() {
        assertThatThrownBy(() -> WordSplitter.split("echo ok \"still \\\" open", 12))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("line 12: unbalanced double quote at column 9: echo ok \"still \\\" open");
    }

    @Test
    void unquotedShellOperatorsAreRejectedBecauseNoShellRunsThem() {
        assertThatThrownBy(() -> WordSplitter.split("ls | wc -l", 3))
                .isInstanceOf(InvalidJobException.class)
                .hasMessage("line 3: shell operator '|' at column 4 is not run through a shell; quote it, or use "
                        + "--shell: ls | wc -l");
        assertThat(WordSplitter.split("echo 'a | b' \\> c", 3)).containsExactly("echo", "a | b", ">", "c");
    }

    @Test
    void expansionsAreRejectedOutsideSingleQuotes() {
        assertThatThrownBy(() -> WordSplitter.split("echo \"$HOME\"", 2))
                .isInstanceOf(InvalidJobException.class)
                .hasMessageStartingWith("line 2: shell expansion '$' at column 7 is not run through a shell");
        assertThat(WordSplitter.split("echo '$HOME' \\$HOME", 2)).containsExactly("echo", "$HOME", "$HOME");
    }
}
