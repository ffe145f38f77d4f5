package dev.procflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The public API of {@code dev.procflux} as committed in {@code src/test/resources/api/dev.procflux.txt}: every
 * public type and its public and protected members, with their generic signatures. A change to the API fails this
 * test until the listing is updated in the same change, so every API change is visible in review and CI. To update
 * the listing: {@code mvn -B verify -Dtest=ApiFreezeTest -Dprocflux.api.update=true}, then commit the file.
 */
class ApiFreezeTest {
    private static final Path LISTING = Path.of("src/test/resources/api/dev.procflux.txt");

    @Test
    void thePublicApiMatchesTheCommittedListing() throws IOException, URISyntaxException, ClassNotFoundException {
        String current = listing();
        if (Boolean.getBoolean("procflux.api.update")) {
            Files.writeString(LISTING, current, StandardCharsets.UTF_8);
        }
        String frozen = Files.readString(LISTING, StandardCharsets.UTF_8);
        List<String> was = frozen.lines().collect(Collectors.toList());
        List<String> now = current.lines().collect(Collectors.toList());
        List<String> removed = new ArrayList<>(was);
        removed.removeAll(now);
        List<String> added = new ArrayList<>(now);
        added.removeAll(was);
        assertThat(removed).as("API removed or changed since %s (update the listing if intended: "
                + "-Dprocflux.api.update=true)", LISTING).isEmpty();
        assertThat(added).as("API added since %s (update the listing if intended: -Dprocflux.api.update=true)",
                LISTING).isEmpty();
    }

    private static String listing() throws IOException, URISyntaxException, ClassNotFoundException {
        Path classes = Path.of(ProcessEngine.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("dev/procflux");
        TreeSet<String> lines = new TreeSet<>();
        try (Stream<Path> files = Files.list(classes)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (!name.endsWith(".class") || name.equals("package-info.class")) {
                    continue;
                }
                Class<?> c = Class.forName("dev.procflux." + name.substring(0, name.length() - 6), false,
                        ApiFreezeTest.class.getClassLoader());
                if (isApi(c)) {
                    describe(c, lines);
                }
            }
        }
        return String.join("\n", lines) + "\n";
    }

    private static boolean isApi(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getEnclosingClass()) {
            if (!Modifier.isPublic(k.getModifiers())) {
                return false;
            }
        }
        return !c.isAnonymousClass() && !c.isSynthetic();
    }

    private static void describe(Class<?> c, TreeSet<String> lines) {
        String type = c.getTypeName();
        String kind = c.isAnnotation() ? "@interface" : c.isEnum() ? "enum" : c.isInterface() ? "interface"
                : c.isRecord() ? "record" : "class";
        String supers = (c.getGenericSuperclass() == null || c.getSuperclass() == Object.class
                || c.isEnum() ? "" : " extends " + c.getGenericSuperclass().getTypeName())
                + (c.getGenericInterfaces().length == 0 ? "" : " implements " + Arrays.stream(c.getGenericInterfaces())
                        .map(java.lang.reflect.Type::getTypeName).collect(Collectors.joining(", ")));
        lines.add(type + " : " + modifiers(c.getModifiers() & ~Modifier.INTERFACE) + kind
                + (" " + typeParameters(c.getTypeParameters())).stripTrailing() + supers);
        for (Field f : c.getDeclaredFields()) {
            if (visible(f.getModifiers()) && !f.isSynthetic()) {
                lines.add(type + " : " + modifiers(f.getModifiers()) + f.getGenericType().getTypeName() + " "
                        + f.getName());
            }
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (visible(k.getModifiers()) && !k.isSynthetic()) {
                lines.add(type + " : " + modifiers(k.getModifiers()) + "<init>" + parameters(k) + exceptions(k));
            }
        }
        for (Method m : c.getDeclaredMethods()) {
            if (visible(m.getModifiers()) && !m.isSynthetic() && !m.isBridge()) {
                lines.add(type + " : " + modifiers(m.getModifiers()) + (m.isDefault() ? "default " : "")
                        + typeParameters(m.getTypeParameters()) + m.getGenericReturnType().getTypeName() + " "
                        + m.getName() + parameters(m) + exceptions(m));
            }
        }
    }

    private static String typeParameters(java.lang.reflect.TypeVariable<?>[] variables) {
        return variables.length == 0 ? "" : Arrays.stream(variables).map(v -> v.getName() + (v.getBounds().length == 1
                && v.getBounds()[0] == Object.class ? "" : " extends " + Arrays.stream(v.getBounds())
                        .map(java.lang.reflect.Type::getTypeName).collect(Collectors.joining(" & "))))
                .collect(Collectors.joining(", ", "<", "> "));
    }

    private static boolean visible(int modifiers) {
        return Modifier.isPublic(modifiers) || Modifier.isProtected(modifiers);
    }

    private static String modifiers(int modifiers) {
        String s = Modifier.toString(modifiers & (Modifier.PUBLIC | Modifier.PROTECTED | Modifier.STATIC
                | Modifier.FINAL | Modifier.ABSTRACT));
        return s.isEmpty() ? "" : s + " ";
    }

    private static String parameters(Executable e) {
        return Arrays.stream(e.getGenericParameterTypes()).map(java.lang.reflect.Type::getTypeName)
                .collect(Collectors.joining(", ", "(", ")"));
    }

    private static String exceptions(Executable e) {
        return e.getGenericExceptionTypes().length == 0 ? "" : " throws " + Arrays.stream(e.getGenericExceptionTypes())
                .map(java.lang.reflect.Type::getTypeName).collect(Collectors.joining(", "));
    }
}
