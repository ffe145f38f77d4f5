import dev.procflux.BackpressurePolicy;
import dev.procflux.Command;
import dev.procflux.ProcessEngine;
import java.nio.ByteBuffer;
import java.util.function.ToLongFunction;
import reactor.core.publisher.Flux;

/**
 * One build's side of {@code jmh/ab.sh}: loaded once per build, each in a class loader of its own, and asked to run
 * one variant at a time. Each variant moves 256 MiB and returns the bytes it counted.
 */
public final class AbRunner implements ToLongFunction<String>, AutoCloseable {
    static final Command HEAD = Command.of("head", "-c", "268435456", "/dev/zero");
    private final ProcessEngine engine = ProcessEngine.builder().build();
    private final ProcessEngine fail = ProcessEngine.builder().backpressure(BackpressurePolicy.FAIL)
            .maxBufferedBytes(1L << 30).build();
    private final ByteBuffer block = ByteBuffer.wrap(new byte[65536]).asReadOnlyBuffer();

    @Override
    public long applyAsLong(String variant) {
        switch (variant) {
            case "stream":
                return engine.stream(HEAD).reduce(0L, (s, o) -> s + o.size()).block();
            case "fail":
                return fail.stream(HEAD).reduce(0L, (s, o) -> s + o.size()).block();
            case "pipe":
                return Flux.range(0, 4096).map(i -> block.duplicate()).transform(engine.pipe(Command.of("cat")))
                        .reduce(0L, (s, b) -> s + b.remaining()).block();
            default:
                throw new IllegalArgumentException("unknown variant " + variant + ": stream, fail or pipe");
        }
    }

    @Override
    public void close() {
        engine.close();
        fail.close();
    }
}
