package dev.procflux;

import java.time.Duration;

/** Run in a child JVM by {@link ShutdownIT}: starts a process tree, prints its pids, then exits the JVM. */
public final class ShutdownChild {
    private ShutdownChild() {
    }

    public static void main(String[] args) {
        ProcessEngine engine = ProcessEngine.builder().killGracePeriod(Duration.ofMillis(500)).build();
        engine.lines(Command.shell("sleep 60 & echo $!; sleep 60 & echo $!; echo $$; wait"))
                .take(3)
                .doOnNext(pid -> System.out.println("pid " + pid))
                .blockLast(Duration.ofSeconds(10));
        engine.stream(Command.shell("sleep 60 & wait")).subscribe();
        // a worker that answers once, then stops reading stdin: only a kill ends it
        WorkerPool<String, String> pool = WorkerPool.builder(Command.shell("read x; echo $$; exec sleep 60"))
                .sizeBetween(0, 1).build(engine);
        System.out.println("pid " + pool.call("pid").block(Duration.ofSeconds(10)));
        System.out.println("exiting");
        System.out.flush();
        System.exit(0);
    }
}
