package dev.procflux.web;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Collectors;

/** What the operating system says about this JVM's child processes. */
final class Children {
    private Children() {
    }

    /** Live descendants of this JVM (zombies and vanished processes not counted). */
    static long alive() {
        return ProcessHandle.current().descendants().filter(p -> {
            char s = state(p.pid());
            return s != 'Z' && s != '?';
        }).count();
    }

    static char state(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2);
        }
        catch (IOException | RuntimeException e) {
            return '?';
        }
    }

    static String describe() {
        return ProcessHandle.current().descendants()
                .map(p -> p.pid() + ":" + state(p.pid()) + ":" + p.info().commandLine().orElse("?"))
                .collect(Collectors.joining(", "));
    }

    /** Waits until no descendant of this JVM is alive or a zombie. */
    static void awaitNone() {
        await().alias("no children, still: " + describe()).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> ProcessHandle.current().descendants().filter(p -> state(p.pid()) != '?').count() == 0);
    }
}
