package dev.procflux;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import reactor.core.publisher.Sinks;

/** Run in a child JVM by {@link ShutdownIT}: starts a process with a parent-death signal, prints its pid, waits. */
public final class ParentDeathChild {
    private ParentDeathChild() {
    }

    public static void main(String[] args) throws InterruptedException {
        ProcessEngine engine = ProcessEngine.create();
        Sinks.One<String> first = Sinks.one();
        // subscribed for good: taking just the first line would cancel the stream, which kills the process
        engine.lines(Command.shell("echo $$; exec sleep 60").withParentDeathSignal())
                .subscribe(first::tryEmitValue);
        String pid = first.asMono().block(Duration.ofSeconds(10));
        System.out.println("pid " + pid);
        System.out.flush();
        // wait to be killed with SIGKILL: no shutdown hook will run
        new CountDownLatch(1).await();
    }
}
