package dev.procflux;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Run in a child JVM by {@link CloseTreeIT}: starts a process tree whose grandchild ignores SIGTERM, prints that
 * grandchild's pid (it also writes it to the file named by the second argument), then ends the JVM one of three
 * ways (the first argument): {@code close} closes the engine with
 * try-with-resources before {@code System.exit}; {@code hook} and {@code worker-pool-hook} leave the engine (or a
 * worker pool) open and let the JVM shutdown hook close it.
 */
public final class CloseTreeChild {
    private CloseTreeChild() {
    }

    /**
     * {@code sh} with a grandchild that ignores SIGTERM ({@code exec} keeps the ignored disposition) and writes its
     * pid to {@code pidFile}; the root dies of SIGTERM.
     *
     * @param holdsPipes whether the grandchild keeps the run's stdout and stderr open (else: {@code /dev/null})
     * @param then what the root does after starting the grandchild ({@code wait}, or a worker's read loop)
     */
    static Command ignoringGrandchild(Path pidFile, boolean holdsPipes, String then) {
        String grandchild = "sh -c 'trap \"\" TERM; echo $$ > \"$1.tmp\"; mv \"$1.tmp\" \"$1\"; exec sleep 60' sh \"$1\"";
        return Command.of("sh", "-c", grandchild + (holdsPipes ? "" : " </dev/null >/dev/null 2>&1") + " & " + then,
                "sh", pidFile.toString());
    }

    /** Waits for a process to have written its pid and a line break to {@code pidFile}; returns the pid. */
    static long awaitPid(Path pidFile) {
        await().atMost(Duration.ofSeconds(20)).until(() -> pidLine(pidFile).matches("[0-9]+\n"));
        return Long.parseLong(pidLine(pidFile).trim());
    }

    private static String pidLine(Path pidFile) {
        try {
            return Files.exists(pidFile) ? Files.readString(pidFile, StandardCharsets.UTF_8) : "";
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void main(String[] args) throws IOException {
        String mode = args[0];
        Path pidFile = Path.of(args[1]);
        ProcessEngine engine = ProcessEngine.builder().killGracePeriod(Duration.ofMillis(500)).build();
        switch (mode) {
            case "close":
                try (ProcessEngine closed = engine) {
                    closed.stream(ignoringGrandchild(pidFile, false, "wait")).subscribe(o -> { }, e -> { });
                    System.out.println("pid " + awaitPid(pidFile));
                }
                System.out.println("closed");
                break;
            case "hook":
                engine.stream(ignoringGrandchild(pidFile, true, "wait")).subscribe(o -> { }, e -> { });
                System.out.println("pid " + awaitPid(pidFile));
                break;
            case "worker-pool-hook":
                WorkerPool<String, String> pool = WorkerPool.builder(ignoringGrandchild(pidFile, false,
                        "while read l; do echo \"$l\"; done")).sizeBetween(1, 1).build(engine);
                System.out.println("reply " + pool.call("x").block(Duration.ofSeconds(20)));
                System.out.println("pid " + awaitPid(pidFile));
                break;
            default:
                throw new IllegalArgumentException("mode must be close, hook or worker-pool-hook, was " + mode);
        }
        System.out.println("exiting");
        System.out.flush();
        System.exit(0);
    }
}
