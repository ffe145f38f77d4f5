package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.ProcessStartException;
import dev.procflux.ProcessStartException.Reason;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Checks a command before launching it: NuProcess reports every launch failure as the same exit sentinel, so the
 * causes users must tell apart are found here first, each with its own {@link Reason}.
 */
final class StartChecks {
    private StartChecks() {
    }

    /**
     * @return the executable as it will be run: the argv[0] path, or the first match on the JVM's PATH; null for a
     *     name with bytes that are not UTF-8, which no {@link Path} can hold, and which is checked the same way on
     *     its bytes before {@link Trampoline} starts it
     */
    static @Nullable Path check(Command command) {
        List<String> argv = command.argv();
        String line = command.commandLine();
        if (argv.isEmpty()) {
            throw failure(Reason.EMPTY_COMMAND, line, "cannot start an empty command: argv has no executable");
        }
        for (int i = 0; i < argv.size(); i++) {
            if (argv.get(i).indexOf('\0') >= 0) {
                throw failure(Reason.INVALID_ARGUMENT, line,
                        "cannot start '" + line + "': argv[" + i + "] contains a NUL byte");
            }
        }
        for (Map.Entry<String, String> e : command.environment().entrySet()) {
            if (e.getKey().indexOf('\0') >= 0 || e.getValue().indexOf('\0') >= 0) {
                throw failure(Reason.INVALID_ARGUMENT, line, "cannot start '" + line + "': environment variable "
                        + e.getKey().replace("\0", "\\0") + " contains a NUL byte");
            }
        }
        @Nullable Path dir = command.directory().orElse(null);
        if (dir != null) {
            if (!Files.exists(dir)) {
                throw failure(Reason.DIRECTORY_NOT_FOUND, line,
                        "cannot start '" + line + "': working directory " + dir + " does not exist");
            }
            if (!Files.isDirectory(dir)) {
                throw failure(Reason.NOT_A_DIRECTORY, line,
                        "cannot start '" + line + "': working directory " + dir + " is not a directory");
            }
        }
        String name = argv.get(0);
        if (SurrogateEscape.hasEscapes(name) || !isPath(name)) {
            executable(name, dir, line, RAW);
            return null;
        }
        return Path.of(executable(name, dir, line, PATHS));
    }

    /** @return whether {@code name} fits a {@link Path}: not when it is not ASCII and file names are not UTF-8 */
    private static boolean isPath(String name) {
        try {
            Path.of(name);
            return true;
        }
        catch (InvalidPathException e) {
            return false;
        }
    }

    /** The tests the checks make on a file, named as a string that may hold raw bytes ({@link SurrogateEscape}). */
    private interface FileTests {
        boolean exists(String file);

        boolean isDirectory(String file);

        boolean isRegularFile(String file);

        boolean isExecutable(String file);
    }

    private static final FileTests PATHS = new FileTests() {
        @Override
        public boolean exists(String file) {
            return Files.exists(Path.of(file));
        }

        @Override
        public boolean isDirectory(String file) {
            return Files.isDirectory(Path.of(file));
        }

        @Override
        public boolean isRegularFile(String file) {
            return Files.isRegularFile(Path.of(file));
        }

        @Override
        public boolean isExecutable(String file) {
            return Files.isExecutable(Path.of(file));
        }
    };

    /**
     * {@code access(2)} on the name's bytes, for a name no {@link Path} can hold. {@code NAME/.} exists only for a
     * directory; any other file that exists counts as a regular one, since {@code execve} refuses the rest (FIFOs,
     * devices) with EACCES all the same.
     */
    private static final FileTests RAW = new FileTests() {
        @Override
        public boolean exists(String file) {
            return Posix.exists(SurrogateEscape.encode(file));
        }

        @Override
        public boolean isDirectory(String file) {
            return Posix.exists(SurrogateEscape.encode(file + "/."));
        }

        @Override
        public boolean isRegularFile(String file) {
            return exists(file) && !isDirectory(file);
        }

        @Override
        public boolean isExecutable(String file) {
            return Posix.isExecutable(SurrogateEscape.encode(file));
        }
    };

    private static String executable(String name, @Nullable Path dir, String line, FileTests files) {
        if (name.isEmpty()) {
            throw failure(Reason.EXECUTABLE_NOT_FOUND, line, "cannot start '" + line + "': executable name is empty");
        }
        if (name.indexOf('/') >= 0) {
            // the child resolves a relative path after changing to its working directory
            String p = name.startsWith("/") || dir == null ? name : dir + "/" + name;
            checkFile(p, name, line, files);
            return p;
        }
        String path = System.getenv("PATH");
        boolean sawNonExecutable = false;
        for (String entry : (path == null ? "/usr/local/bin:/usr/bin:/bin" : path).split(File.pathSeparator)) {
            String candidate = (entry.isEmpty() ? "." : entry) + "/" + name;
            if (files.isRegularFile(candidate)) {
                if (files.isExecutable(candidate)) {
                    return candidate;
                }
                sawNonExecutable = true;
            }
        }
        if (sawNonExecutable) {
            throw failure(Reason.NOT_EXECUTABLE, line,
                    "cannot start '" + line + "': '" + name + "' found on PATH but not executable (permission denied)");
        }
        throw failure(Reason.EXECUTABLE_NOT_FOUND, line,
                "cannot start '" + line + "': executable '" + name + "' not found on PATH=" + path);
    }

    private static void checkFile(String p, String name, String line, FileTests files) {
        if (!files.exists(p)) {
            throw failure(Reason.EXECUTABLE_NOT_FOUND, line,
                    "cannot start '" + line + "': executable " + name + " does not exist");
        }
        if (files.isDirectory(p)) {
            throw failure(Reason.NOT_EXECUTABLE, line,
                    "cannot start '" + line + "': " + name + " is a directory, not an executable");
        }
        if (!files.isExecutable(p)) {
            throw failure(Reason.NOT_EXECUTABLE, line,
                    "cannot start '" + line + "': " + name + " is not executable (permission denied)");
        }
    }

    static ProcessStartException failure(Reason reason, String line, String message) {
        return new ProcessStartException(reason, line, message, null);
    }
}
