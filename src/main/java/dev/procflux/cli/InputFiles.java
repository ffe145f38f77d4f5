package dev.procflux.cli;

import com.sun.jna.Native;
import dev.procflux.internal.SurrogateEscape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Opens the files the command line reads ({@code -f}, {@code -a}, {@code ::::}) by the name given, whatever its
 * bytes: a name Java's file API cannot hold (see {@link RawDirectory}) is opened with {@code open(2)} on its bytes
 * and read through {@code /proc/self/fd/N}.
 */
final class InputFiles {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;

    private InputFiles() {
    }

    /**
     * @param name the file's name as given, raw bytes as {@code U+DC80..U+DCFF}
     * @return a stream of its bytes
     * @throws IOException as {@link Files#newInputStream} throws it ({@link NoSuchFileException},
     *     {@link AccessDeniedException}, ...), naming the file with its raw bytes as {@code \xNN}
     */
    static InputStream open(String name) throws IOException {
        Path path;
        try {
            path = Path.of(name);
        }
        catch (InvalidPathException e) {
            return openRaw(name);
        }
        return Files.newInputStream(path);
    }

    /** @return whether {@code name} is a directory; false when it cannot be told */
    static boolean isDirectory(String name) {
        try {
            return Files.isDirectory(Path.of(name));
        }
        catch (InvalidPathException e) {
            // opened as a file, reading a directory fails with EISDIR, which names the reason as well
            return false;
        }
    }

    /**
     * @return whether {@code name} is a regular file, which may be read twice; false for a name Java's file API
     *     cannot hold, which is then read once
     */
    static boolean isRegularFile(String name) {
        try {
            return Files.isRegularFile(Path.of(name));
        }
        catch (InvalidPathException e) {
            return false;
        }
    }

    private static InputStream openRaw(String name) throws IOException {
        RawDirectory.CLib c = RawDirectory.Holder.C;
        byte[] bytes = SurrogateEscape.encode(name);
        int fd = c.open(RawDirectory.terminated(bytes, bytes.length), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int errno = Native.getLastError();
            String shown = Diagnostics.visible(name);
            switch (errno) {
                case ENOENT:
                    throw new NoSuchFileException(shown);
                case EACCES:
                    throw new AccessDeniedException(shown);
                default:
                    throw new FileSystemException(shown, null, c.strerror(errno));
            }
        }
        try {
            // a second open description of the same file, owned by the stream
            return Files.newInputStream(Path.of("/proc/self/fd/" + fd));
        }
        finally {
            c.close(fd);
        }
    }
}
