package dev.procflux.cli;

import dev.procflux.internal.SurrogateEscape;
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

    /**
     * @return the name of the directory of one job's results under {@code root}, raw bytes as
     *     {@code U+DC80..U+DCFF}
     */
    static String directory(String root, List<String> args, Map<String, Integer> header) {
        StringBuilder dir = new StringBuilder(root);
        for (int i = 0; i < args.size(); i++) {
            String name = Integer.toString(i + 1);
            for (Map.Entry<String, Integer> e : header.entrySet()) {
                if (e.getValue() == i) {
                    name = e.getKey();
                }
            }
            if (dir.length() > 0 && dir.charAt(dir.length() - 1) != '/') {
                dir.append('/');
            }
            dir.append(escape(name)).append('/').append(escape(args.get(i)));
        }
        return dir.toString();
    }

    static String escape(String value) {
        String escaped = value.replace("\\", "\\\\").replace("/", "\\_");
        return escaped.isEmpty() ? "\\_" : escaped.equals(".") || escaped.equals("..") ? "\\" + escaped : escaped;
    }

    /**
     * Writes the results of one job: its stdout, stderr (copied from their spools) and job number. A directory
     * whose name Java's file API cannot hold (raw bytes, or text beyond the locale's charset) is made byte for byte
     * by {@link RawDirectory}.
     */
    static void write(String root, Job job, Map<String, Integer> header, Spool stdout, Spool stderr) {
        String name = directory(root, job.args(), header);
        try {
            Path dir;
            try {
                dir = Path.of(name);
            }
            catch (InvalidPathException e) {
                try (RawDirectory raw = RawDirectory.create(SurrogateEscape.encode(name))) {
                    write(raw.path(), job, stdout, stderr);
                }
                return;
            }
            Files.createDirectories(dir);
            write(dir, job, stdout, stderr);
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write --results for job " + job.number() + " in " + name + ": "
                    + e.getMessage(), e);
        }
    }

    private static void write(Path dir, Job job, Spool stdout, Spool stderr) throws IOException {
        stdout.copyTo(dir.resolve("stdout"));
        stderr.copyTo(dir.resolve("stderr"));
        Files.write(dir.resolve("seq"), Long.toString(job.number()).getBytes(StandardCharsets.US_ASCII));
    }

    /** @return the new file holding {@code stdout} (copied from its spool), for {@code --files} */
    static Path temporary(Spool stdout) {
        String tmp = System.getenv().getOrDefault("TMPDIR", "/tmp");
        try {
            Path file = Files.createTempFile(Path.of(tmp.isEmpty() ? "/tmp" : tmp), "par", ".par",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            stdout.copyTo(file);
            return file;
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot write --files output in " + tmp + ": " + e.getMessage(), e);
        }
    }
}
