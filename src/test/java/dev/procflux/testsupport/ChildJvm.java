package dev.procflux.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A {@code main} class run in a child JVM on this JVM's class path: the one way the tests start a JVM of their own.
 * Immutable; {@link #withShellPrefix} and {@link #asUser} return a new instance.
 */
public final class ChildJvm {
    private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");

    private final Class<?> main;
    private final List<String> args;
    private final String shellPrefix;
    private final int uid;

    private ChildJvm(Class<?> main, List<String> args, String shellPrefix, int uid) {
        this.main = main;
        this.args = List.copyOf(args);
        this.shellPrefix = shellPrefix;
        this.uid = uid;
    }

    /** {@code main.main(args)} in a child JVM, started directly (no shell), as this JVM's user. */
    public static ChildJvm of(Class<?> main, String... args) {
        return new ChildJvm(main, List.of(args), "", -1);
    }

    /**
     * Runs {@code commands} in {@code bash} before the JVM replaces the shell ({@code exec}), for example
     * {@code "ulimit -n 96"}: the limits then apply to the JVM itself.
     */
    public ChildJvm withShellPrefix(String commands) {
        return new ChildJvm(main, args, commands, uid);
    }

    /**
     * Runs the shell and the JVM with real and effective user and group id {@code uid} (through util-linux's
     * {@code setpriv}, which needs root), on a world-readable copy of the class path, with {@code HOME} and the
     * temporary directory in that copy. For limits that the kernel does not enforce for root (RLIMIT_NPROC).
     */
    public ChildJvm asUser(int uid) {
        if (uid <= 0) {
            throw new IllegalArgumentException("uid must be > 0, was " + uid);
        }
        return new ChildJvm(main, args, shellPrefix, uid);
    }

    /**
     * Starts the child with stderr merged into stdout; the caller reads and waits for it. Not with {@link #asUser}:
     * its class path copy is removed by {@link #run}.
     */
    public Process start() throws IOException {
        if (uid > 0) {
            throw new IllegalStateException("asUser(" + uid + ") needs run(timeout), which removes the class path "
                    + "copy it makes");
        }
        return builder(System.getProperty("java.class.path"), null).start();
    }

    /**
     * Reads the output of a child from {@link #start} (stdout and stderr merged) until the child closes it.
     *
     * @return every line, and the pids the child printed as lines {@code pid N}, in order
     */
    public static Output readToEnd(Process child) throws IOException {
        List<String> lines = new ArrayList<>();
        List<Long> pids = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("pid ")) {
                    pids.add(Long.parseLong(line.substring(4).trim()));
                }
            }
        }
        return new Output(lines, pids);
    }

    /** What a child JVM printed: every line, and the pids of its lines {@code pid N}. */
    public record Output(List<String> lines, List<Long> pids) {
        public Output {
            lines = List.copyOf(lines);
            pids = List.copyOf(pids);
        }
    }

    /**
     * Runs the child to its end, at most {@code timeout} (then it is killed and the test fails), asserts that it
     * exited with status 0, and returns its output lines (stdout and stderr merged). The output is also printed, so
     * that the test report shows it.
     */
    public List<String> run(Duration timeout) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("procflux-child-jvm");
        try {
            String classPath = System.getProperty("java.class.path");
            if (uid > 0) {
                classPath = readableCopy(classPath, work.resolve("cp"));
                Path tmp = Files.createDirectories(work.resolve("tmp"));
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxrwxrwx"));
                chmodReadable(work, tmp);
            }
            Path out = work.resolve("output.txt");
            Process child = builder(classPath, work).redirectOutput(out.toFile()).start();
            boolean exited = child.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!exited) {
                child.descendants().forEach(ProcessHandle::destroyForcibly);
                child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            List<String> output = Files.readAllLines(out, StandardCharsets.UTF_8);
            System.out.println(this + ":\n  " + String.join("\n  ", output));
            assertThat(exited).as("%s ended within %s, output: %s", this, timeout, output).isTrue();
            assertThat(child.exitValue()).as("%s exit status, output: %s", this, output).isZero();
            return output;
        }
        finally {
            deleteTree(work);
        }
    }

    private ProcessBuilder builder(String classPath, Path work) {
        List<String> java = new ArrayList<>(List.of(JAVA.toString()));
        if (work != null && uid > 0) {
            java.add("-Djava.io.tmpdir=" + work.resolve("tmp"));
            java.add("-Djna.tmpdir=" + work.resolve("tmp"));
        }
        java.addAll(List.of("-cp", classPath, main.getName()));
        java.addAll(args);
        List<String> command = new ArrayList<>();
        if (uid > 0) {
            command.addAll(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        }
        if (shellPrefix.isEmpty()) {
            command.addAll(java);
        }
        else {
            // the JVM's argv travels as positional parameters, so no part of it is parsed by the shell
            command.addAll(List.of("bash", "-c", shellPrefix + " && exec \"$@\"", "bash"));
            command.addAll(java);
        }
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (uid > 0) {
            pb.directory(work.toFile());
            pb.environment().put("HOME", work.toString());
        }
        return pb;
    }

    /**
     * A user id with no process on this machine and no entry in {@code /etc/passwd}, for {@link #asUser}: the
     * process count the kernel keeps for it then starts at the child's own processes.
     */
    public static int unusedUid() throws IOException {
        Set<Integer> used;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            used = procs.filter(p -> p.getFileName().toString().matches("[0-9]+"))
                    .map(ChildJvm::realUid).filter(u -> u >= 0).collect(Collectors.toSet());
        }
        used.addAll(Files.readAllLines(Path.of("/etc/passwd")).stream().map(l -> l.split(":"))
                .filter(f -> f.length > 2 && f[2].matches("[0-9]+")).map(f -> Integer.parseInt(f[2]))
                .collect(Collectors.toSet()));
        for (int candidate = 61_000; candidate < 62_000; candidate++) {
            if (!used.contains(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no unused uid in 61000..61999");
    }

    private static int realUid(Path proc) {
        try {
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                }
            }
            return -1;
        }
        catch (IOException | UncheckedIOException e) {
            return -1; // the process exited while the directory was listed
        }
    }

    /** Copies (or hard-links) every class path entry below {@code dir} and returns the class path of the copy. */
    private static String readableCopy(String classPath, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path target = dir.resolve(n++ + (Files.isDirectory(source) ? "" : "-" + source.getFileName()));
            if (Files.isDirectory(source)) {
                try (Stream<Path> tree = Files.walk(source)) {
                    for (Path p : (Iterable<Path>) tree::iterator) {
                        Path t = target.resolve(source.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(t);
                        }
                        else {
                            Files.copy(p, t);
                        }
                    }
                }
            }
            else {
                // a hard link shares the original's permissions: link only what others may read already
                boolean readable = Files.getPosixFilePermissions(source).contains(PosixFilePermission.OTHERS_READ);
                try {
                    if (readable) {
                        Files.createLink(target, source);
                    }
                    else {
                        Files.copy(source, target);
                    }
                }
                catch (FileSystemException e) {
                    Files.copy(source, target); // another file system: hard links cannot cross it
                }
            }
            entries.add(target.toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    /** Makes the copy readable by the child's user; files already readable (hard links among them) stay as they are. */
    private static void chmodReadable(Path root, Path writable) throws IOException {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : (Iterable<Path>) tree::iterator) {
                if (p.equals(writable)) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                else if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_READ)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> tree = Files.walk(root)) {
            for (Path p : (Iterable<Path>) tree.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Override
    public String toString() {
        return main.getSimpleName() + (args.isEmpty() ? "" : " " + String.join(" ", args))
                + (shellPrefix.isEmpty() ? "" : " under '" + shellPrefix + "'") + (uid > 0 ? " as uid " + uid : "");
    }
}
