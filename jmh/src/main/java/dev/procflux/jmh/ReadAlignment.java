package dev.procflux.jmh;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the place of the destination buffer in its page costs a {@code read} from a pipe: {@code head -c 256M
 * /dev/zero} written into a FIFO and read to its end by this thread (blocking reads of 256 KiB through JNA) into a
 * page-aligned buffer and into the same buffer 16, 32, 48, 64, 2,048 and 4,080 bytes further on; 16 bytes into a
 * page is where glibc's malloc puts a block it serves with {@code mmap}. The offsets take turns, the order rotating
 * every round; round 0 is warm-up. Prints the median CPU time of the reading thread per 256 MiB and its range.
 * Usage: {@code java --enable-native-access=ALL-UNNAMED -cp benchmarks.jar dev.procflux.jmh.ReadAlignment [rounds]}.
 */
public final class ReadAlignment {
    private static final long BYTES = 256L << 20;
    private static final int READ_SIZE = 256 << 10;
    private static final int PAGE = 4096;

    private ReadAlignment() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int[] offsets = {0, 16, 32, 48, 64, 2048, 4080};
        Pointer aligned = new Memory(READ_SIZE + 2L * PAGE).align(PAGE);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        Map<Integer, List<Long>> millis = new LinkedHashMap<>();
        for (int offset : offsets) {
            millis.put(offset, new ArrayList<>());
        }
        Path dir = Files.createTempDirectory("procflux-align");
        String fifo = dir.resolve("fifo").toString();
        String loadBefore = StreamingCost.loadAverage();
        FifoReadPath.makeFifo(fifo);
        try {
            for (int round = 0; round < rounds; round++) {
                for (int i = 0; i < offsets.length; i++) {
                    int offset = offsets[(i + round) % offsets.length];
                    // blocking: the shell's open for writing and this open for reading wait for each other
                    Process writer = new ProcessBuilder("/bin/sh", "-c", "exec head -c " + BYTES + " /dev/zero >\"$0\"",
                            fifo).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                    int fd = FifoReadPath.openBlocking(fifo);
                    long cpu0 = threads.getCurrentThreadCpuTime();
                    long total = 0;
                    long n;
                    Pointer buffer = aligned.share(offset);
                    while ((n = FifoReadPath.read(fd, buffer, READ_SIZE)) > 0) {
                        total += n;
                    }
                    long cpu = threads.getCurrentThreadCpuTime() - cpu0;
                    FifoReadPath.close(fd);
                    writer.waitFor();
                    if (total != BYTES) {
                        throw new IllegalStateException("offset " + offset + ": read " + total + " bytes");
                    }
                    if (round > 0) {
                        millis.get(offset).add(cpu / 1_000_000);
                    }
                }
            }
        }
        finally {
            Files.deleteIfExists(Path.of(fifo));
            Files.deleteIfExists(dir);
        }
        System.out.printf(Locale.ROOT, "%-30s %8s %12s%n", "ms CPU per 256 MiB read", "median", "range");
        millis.forEach((offset, m) -> {
            m.sort(null);
            System.out.printf(Locale.ROOT, "%-30s %8d %5d-%-6d%n", "buffer " + offset + " bytes into a page",
                    m.get(m.size() / 2), m.get(0), m.get(m.size() - 1));
        });
        System.out.printf(Locale.ROOT, "%d rounds, load average %s before, %s after%n", rounds - 1, loadBefore,
                StreamingCost.loadAverage());
    }
}
