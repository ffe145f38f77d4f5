package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md and docs/*.md compiles against procflux and the test class path.
 *
 * <p>The conventions that keep the snippets readable:
 * <ul>
 * <li>A block is the body of a method that may throw anything; a block whose first code line is an annotation or
 * a (static) class, record or interface declaration is a member of a class instead.</li>
 * <li>The packages a reader would import are imported: procflux's, {@code java.time}, {@code java.nio},
 * {@code java.nio.file}, {@code java.util}, Reactor's publishers, Micrometer's instruments, Spring's
 * annotations and functional WebFlux types (see {@link #IMPORTS}).</li>
 * <li>Variables a block uses without declaring them are declared in an HTML comment just above it, invisible in
 * the rendered page: {@code <!-- java-context: ProcessEngine engine, Command cmd -->}.</li>
 * <li>{@code ...} as a whole initializer ({@code Flux<ByteBuffer> upload = ...;}) stands for a value from
 * elsewhere.</li>
 * </ul>
 */
class DocSnippetsTest {
    static final List<String> IMPORTS = List.of("dev.procflux.*", "dev.procflux.web.*", "dev.procflux.micrometer.*",
            "dev.procflux.boot.*", "java.time.*", "java.nio.*", "java.nio.file.*", "java.util.*",
            "java.util.function.*", "reactor.core.publisher.*", "io.micrometer.core.instrument.*",
            "org.springframework.context.annotation.*", "org.springframework.web.reactive.function.server.*",
            "org.springframework.web.reactive.config.*");
    private static final Pattern BLOCK = Pattern.compile("(?:<!-- java-context: ([^\\n]*?) -->\\s*\\n)?```java\\n(.*?)```",
            Pattern.DOTALL);
    private static final Pattern MEMBER = Pattern.compile("^\\s*(@|(public |private |static |final )*(class|record|"
            + "interface|enum) )");
    private static final Pattern PLACEHOLDER = Pattern.compile("=\\s*\\.\\.\\.\\s*;");

    /** One snippet as a compilation unit; the class name encodes where it came from. */
    private static final class Snippet extends SimpleJavaFileObject {
        final String where;
        final int firstLine;
        final int codeOffset;
        final String code;

        Snippet(String className, String where, int firstLine, int codeOffset, String code) {
            super(URI.create("string:///" + className + Kind.SOURCE.extension), Kind.SOURCE);
            this.where = where;
            this.firstLine = firstLine;
            this.codeOffset = codeOffset;
            this.code = code;
        }

        @Override
        public CharSequence getCharContent(boolean ignoreEncodingErrors) {
            return code;
        }
    }

    @Test
    void everyJavaSnippetInTheDocsCompiles(@TempDir Path out) throws IOException {
        List<Path> docs = new ArrayList<>();
        docs.add(Path.of("README.md"));
        try (Stream<Path> files = Files.list(Path.of("docs"))) {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        List<Snippet> snippets = new ArrayList<>();
        for (Path doc : docs) {
            String text = Files.readString(doc, StandardCharsets.UTF_8);
            Matcher m = BLOCK.matcher(text);
            while (m.find()) {
                int line = (int) text.substring(0, m.start(2)).chars().filter(c -> c == '\n').count() + 1;
                snippets.add(snippet(doc, line, m.group(1), m.group(2), snippets.size()));
            }
        }
        assertThat(snippets).as("snippets found").hasSizeGreaterThan(10);

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        List<String> options = List.of("-d", out.toString(), "-proc:none", "-classpath",
                System.getProperty("java.class.path"), "--release", "17");
        boolean ok = javac.getTask(null, null, diagnostics, options, null, snippets).call();
        String errors = diagnostics.getDiagnostics().stream()
                .filter(d -> d.getKind() == Diagnostic.Kind.ERROR)
                .map(d -> {
                    Snippet s = (Snippet) d.getSource();
                    long docLine = s.firstLine + d.getLineNumber() - 1 - s.codeOffset;
                    return s.where + ":" + docLine + ": " + d.getMessage(Locale.ROOT);
                })
                .collect(Collectors.joining("\n"));
        assertThat(errors).as("compilation errors, at the line of the doc").isEmpty();
        assertThat(ok).isTrue();
    }

    private static Snippet snippet(Path doc, int firstLine, String context, String body, int index) {
        String className = "Snippet" + index;
        String code = PLACEHOLDER.matcher(body).replaceAll("= placeholder();");
        StringBuilder unit = new StringBuilder();
        for (String i : IMPORTS) {
            unit.append("import ").append(i).append(";");
        }
        // the imports and the class header share the first line, so doc lines map one to one from line 2
        boolean member = code.lines().filter(l -> !l.isBlank() && !l.trim().startsWith("//")).findFirst()
                .map(l -> MEMBER.matcher(l).find()).orElse(false);
        unit.append("@SuppressWarnings(\"all\") class ").append(className).append(" {")
                .append(" static <T> T placeholder() { return null; }");
        if (member) {
            unit.append("\n").append(code).append("}\n");
        }
        else {
            unit.append(" void run(").append(context == null ? "" : context).append(") throws Throwable {\n")
                    .append(code).append("}}\n");
        }
        return new Snippet(className, doc.toString(), firstLine, 1, unit.toString());
    }
}
