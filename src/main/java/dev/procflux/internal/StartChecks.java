package dev.procflux.internal;

import dev.procflux.Command;
import dev.procflux.ProcessStartException;
import dev.procflux.ProcessStartException.Reason;
import java.io.File;
import java.nio.file.Files;
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
     *     name with bytes that are not UTF-8, which no {@link Path} can hold: the shell that rebuilds those bytes
     *     ({@link Trampoline}) reports a missing one as a shell does, with exit status 127 (126 if not executable)
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
        return SurrogateEscape.hasEscapes(argv.get(0)) ? null : executable(argv.get(0), dir, line);
    }

    private static Path executable(String name, @Nullable Path dir, String line) {
        if (name.isEmpty()) {
            throw failure(Reason.EXECUTABLE_NOT_FOUND, line, "cannot start '" + line + "': executable name is empty");
        }
        if (name.indexOf('/') >= 0) {
            Path p = Path.of(name);
            if (!p.isAbsolute() && dir != null) {
                // the child resolves a relative path after changing to its working directory
                p = dir.resolve(p);
            }
            checkFile(p, name, line);
            return p;
        }
        String path = System.getenv("PATH");
        boolean sawNonExecutable = false;
        for (String entry : (path == null ? "/usr/local/bin:/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path candidate = Path.of(entry.isEmpty() ? "." : entry, name);
            if (Files.isRegularFile(candidate)) {
                if (Files.isExecutable(candidate)) {
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

    private static void checkFile(Path p, String name, String line) {
        if (!Files.exists(p)) {
            throw failure(Reason.EXECUTABLE_NOT_FOUND, line,
                    "cannot start '" + line + "': executable " + name + " does not exist");
        }
        if (Files.isDirectory(p)) {
            throw failure(Reason.NOT_EXECUTABLE, line,
                    "cannot start '" + line + "': " + name + " is a directory, not an executable");
        }
        if (!Files.isExecutable(p)) {
            throw failure(Reason.NOT_EXECUTABLE, line,
                    "cannot start '" + line + "': " + name + " is not executable (permission denied)");
        }
    }

    static ProcessStartException failure(Reason reason, String line, String message) {
        return new ProcessStartException(reason, line, message, null);
    }
}
