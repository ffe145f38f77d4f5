package dev.procflux.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

/**
 * Where {@code --results DIR} and {@code --files} put job output. {@code --results} uses GNU parallel's layout: for
 * each argument a directory named after its source (its position from 1, or its {@code --header} name) and then
 * one named after its value ({@code \} written {@code \\} and {@code /} written {@code \_}), holding the files
 * {@code stdout}, {@code stderr} and {@code seq}: {@code DIR/1/a/2/x/stdout} for the arguments {@code a x}.
 * {@code --files} writes stdout to a new file {@code parXXXXX.par} in {@code $TMPDIR} (or {@code /tmp}) and
 * prints its name instead of the output.
 *
 * <p>Called only by the thread that writes job output.
 */
final class ResultFiles {
    private ResultFiles() {
    }

    /** @return the directory of one job's results under {@code root} */
    static Path directory(Path root, List<String> args, Map<String, Integer> header) {
        Path dir = root;
        for (int i = 0; i < args.size(); i++) {
            String name = Integer.toString(i + 1);
            for (Map.Entry<String, Integer> e : header.entrySet()) {
                if (e.getValue() == i) {
                    name = e.getKey();
                }
            }
            dir = dir.resolve(escape(name)).resolve(escape(args.get(i)));
        }
        return dir;
    }

    static String escape(String value) {
        String escaped = value.replace("\\", "\\\\").replace("/", "\\_");
        return escaped.isEmpty() ? "\\_" : escaped.equals(".") || escaped.equals("..") ? "\\" + escaped : escaped;
    }

    /** Writes the results of one job: its stdout, stderr and job number. */
    static void write(Path root, Job job, Map<String, Integer> header, byte[] stdout, byte[] stderr) {
        Path dir;
        try {
            dir = directory(root, job.args(), header);
        }
        catch (InvalidPathException e) {
            // Java's file API names files in UTF-8 only: a directory named after raw bytes cannot be made with it
            throw new UncheckedIOException("cannot write --results for job " + job.number() + " in " + root
                    + ": an argument is not UTF-8, which no directory name made here can hold",
                    new IOException(e.getMessage(), e));
        }
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve("stdout"), stdout);
            Files.write(dir.resolve("stderr"), stderr);
            Files.write(dir.resolve("seq"), Long.toString(job.number()).getBytes(StandardCharsets.US_ASCII));
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write --results for job " + job.number() + " in " + dir + ": "
                    + e.getMessage(), e);
        }
    }

    /** @return the new file holding {@code stdout}, for {@code --files} */
    static Path temporary(byte[] stdout) {
        String tmp = System.getenv().getOrDefault("TMPDIR", "/tmp");
        try {
            Path file = Files.createTempFile(Path.of(tmp.isEmpty() ? "/tmp" : tmp), "par", ".par",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(file, stdout);
            return file;
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write --files output in " + tmp + ": " + e.getMessage(), e);
        }
    }
}
