package dev.procflux.cli;

import dev.procflux.Command;
import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import reactor.core.publisher.Flux;

/**
 * {@code --pipe}: one job per block of stdin ({@link PipeBlocks}), each running the template (without arguments)
 * with its block on stdin, written with the engine's flow control ({@link Command#withStdin(Publisher)}).
 *
 * <p>Not thread-safe: used by the thread that reads stdin.
 */
final class PipeJobs implements Iterator<Job> {
    private final PipeBlocks blocks;
    private final Template template;
    private final boolean shell;
    private long jobNumber;

    PipeJobs(PipeBlocks blocks, Template template, boolean shell) {
        this.blocks = blocks;
        this.template = template;
        this.shell = shell;
    }

    @Override
    public boolean hasNext() {
        return blocks.hasNext();
    }

    @Override
    public Job next() {
        Block block = new Block(blocks.next());
        long number = ++jobNumber;
        List<String> none = List.of();
        if (shell) {
            String script = template.expandForShell(none, number, 1);
            return Job.of(number, number, none, script, Command.shell(script).withStdin(block), null, null, null);
        }
        Command command = Command.of(template.expand(none, number, 1)).withStdin(block);
        return Job.of(number, number, none, command.commandLine(), command, null, null, null);
    }

    /**
     * One block as a job's stdin; {@link #release()} drops the bytes once the job has ended, so that finished jobs
     * waiting for their output to be written do not keep their blocks. Each subscription (a retry) writes it again.
     */
    static final class Block implements Publisher<ByteBuffer> {
        private static final int PIECE = 64 * 1024;
        // set at creation, cleared once by release() on the thread that reports the outcome
        private final AtomicReference<byte[]> bytes;

        Block(byte[] bytes) {
            this.bytes = new AtomicReference<>(bytes);
        }

        @Override
        public void subscribe(Subscriber<? super ByteBuffer> s) {
            byte[] b = bytes.get();
            if (b == null) {
                Flux.<ByteBuffer>error(new IllegalStateException("the --pipe block was already released")).subscribe(s);
                return;
            }
            // pieces, so that the engine writes as the pipe drains instead of holding one big buffer
            int pieces = (b.length + PIECE - 1) / PIECE;
            Flux.range(0, pieces)
                    .map(i -> ByteBuffer.wrap(b, i * PIECE, Math.min(PIECE, b.length - i * PIECE)).slice())
                    .subscribe(s);
        }

        static void release(Job job) {
            job.command().flatMap(Command::stdinPublisher).ifPresent(p -> {
                if (p instanceof Block block) {
                    block.bytes.set(null);
                }
            });
        }
    }
}
