package dev.procflux.jmh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's load, which the harnesses print beside every figure. */
final class LoadAverage {
    private LoadAverage() {
    }

    /** @return the 1-, 5- and 15-minute load averages from {@code /proc/loadavg}, separated by spaces */
    static String now() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
