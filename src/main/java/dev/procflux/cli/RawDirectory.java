package dev.procflux.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A directory named by bytes that Java's file API cannot name, made (with its parents) and held open so that files
 * in it can be written with that API.
 *
 * <p>Java encodes a {@link Path}'s name with {@code sun.jnu.encoding}, the charset of the JVM's locale at start-up
 * (it cannot be set on the command line): under a UTF-8 locale a name that is not UTF-8 (raw bytes, see
 * {@link dev.procflux.internal.SurrogateEscape}) has no {@code Path}, and under the C locale of JDK 17 nothing
 * beyond ASCII has. So the directories are made with {@code mkdir(2)} on the bytes themselves, the last one is
 * opened with {@code open(2)} ({@code O_PATH}), and {@link #path()} names it as {@code /proc/self/fd/N}, through
 * which the kernel resolves the files inside it. Linux only, as the raw command line is.
 *
 * <p>Not thread-safe; {@link #close()} closes the descriptor.
 */
final class RawDirectory implements Closeable {
    private static final int EEXIST = 17;
    // the same values on x86_64 and aarch64 (asm-generic): O_PATH 010000000, O_CLOEXEC 02000000
    private static final int O_PATH = 0x200000;
    private static final int O_CLOEXEC = 0x80000;
    private static final int MODE = 0777; // narrowed by the umask, as for mkdir -p

    /** The libc calls on names given as bytes; {@code path} arguments end with a NUL byte. */
    interface CLib extends Library {
        int mkdir(byte[] path, int mode);

        int open(byte[] path, int flags);

        int close(int fd);

        String strerror(int errnum);
    }

    static final class Holder {
        static final CLib C = Native.load("c", CLib.class);
    }

    private final int fd;

    private RawDirectory(int fd) {
        this.fd = fd;
    }

    /**
     * Makes the directory {@code name} and its missing parents, as {@code mkdir -p} does, and opens it.
     *
     * @param name the directory's name, absolute or relative to the working directory, without a NUL byte
     * @return the open directory
     * @throws IOException naming the directory (raw bytes as {@code \xNN}) and the system's reason
     */
    static RawDirectory create(byte[] name) throws IOException {
        CLib c = Holder.C;
        for (int end = 1; end <= name.length; end++) {
            if (end == name.length || name[end] == '/' && name[end - 1] != '/') {
                byte[] prefix = terminated(name, end);
                if (c.mkdir(prefix, MODE) != 0) {
                    int errno = Native.getLastError();
                    if (errno != EEXIST) {
                        throw failure("cannot create directory", prefix, c.strerror(errno));
                    }
                }
            }
        }
        byte[] path = terminated(name, name.length);
        int fd = c.open(path, O_PATH | O_CLOEXEC);
        if (fd < 0) {
            throw failure("cannot open directory", path, c.strerror(Native.getLastError()));
        }
        return new RawDirectory(fd);
    }

    /** @return the directory as a {@code Path} Java can resolve file names against */
    Path path() {
        return Path.of("/proc/self/fd/" + fd);
    }

    @Override
    public void close() {
        Holder.C.close(fd);
    }

    static byte[] terminated(byte[] name, int length) {
        byte[] c = new byte[length + 1];
        System.arraycopy(name, 0, c, 0, length);
        return c;
    }

    private static IOException failure(String what, byte[] terminated, String reason) {
        String name = dev.procflux.internal.SurrogateEscape.decode(terminated, 0, terminated.length - 1);
        return new IOException(what + " '" + Diagnostics.visible(name) + "': " + reason);
    }
}
