package dev.procflux.internal;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import org.jspecify.annotations.Nullable;

/**
 * Gives every child the signal state a shell would give it: default dispositions and an empty signal mask.
 *
 * <p>Two things of the JVM's leak into a child started by {@code fork}/{@code exec} (NuProcess launches through the
 * JDK's {@code vfork} path, which resets neither):
 * <ul>
 * <li><b>SIGPIPE ignored.</b> NuProcess's {@code LinuxProcess} sets SIGPIPE to {@code SIG_IGN} for the whole
 * JVM when it loads, and an ignored signal stays ignored across {@code exec}: {@code yes | head -1} then prints
 * "Broken pipe" errors, and {@code while :; do echo x; done | head -1} never ends. A signal with a handler is reset
 * to its default by {@code exec}, and HotSpot already handles SIGPIPE with a handler that ignores it (so a write
 * to a closed pipe still fails with {@code EPIPE} in the JVM), so the JVM's handler is put back after NuProcess has
 * loaded.</li>
 * <li><b>SIGQUIT blocked.</b> HotSpot blocks SIGQUIT in every Java thread but its signal dispatcher, and a child
 * inherits the mask of the thread that forked it, so the mask of the launching thread is emptied for the duration
 * of the launch ({@link #unblockAll()} / {@link #restore(Memory)}).</li>
 * </ul>
 * Neither costs an extra {@code exec}: one {@code sigaction} per JVM, two {@code pthread_sigmask} per launch.
 * Signals the JVM itself was started with ignored (as {@code nohup} does) stay ignored in children, as in a shell.
 */
final class ChildSignals {
    private static final int SIGPIPE = 13;
    private static final int SIGXFSZ = 25;
    private static final int SIG_SETMASK = 2;
    private static final long SIG_DFL = 0;
    private static final long SIG_IGN = 1;
    // struct sigaction is 152 bytes on x86_64 and aarch64 glibc (sa_handler first); sigset_t is 128 bytes
    private static final int SIGACTION_SIZE = 256;
    private static final int SIGSET_SIZE = 128;
    private static final Memory EMPTY_SET = zeroed(SIGSET_SIZE);
    private static final ThreadLocal<Memory> SAVED_MASK = ThreadLocal.withInitial(() -> zeroed(SIGSET_SIZE));
    private static final boolean LINUX = System.getProperty("os.name", "").startsWith("Linux");

    private ChildSignals() {
    }

    interface CLib extends com.sun.jna.Library {
        int sigaction(int signum, Pointer act, Pointer oldact);

        int pthread_sigmask(int how, Pointer set, Pointer oldset);
    }

    private static final @Nullable CLib C = LINUX ? Native.load("c", CLib.class) : null;

    /**
     * Loads NuProcess's Linux process class (which ignores SIGPIPE as it loads) and then puts the JVM's SIGPIPE
     * handler back. Idempotent; does nothing off Linux.
     */
    static synchronized void loadNuProcess() {
        if (!LINUX) {
            return;
        }
        Memory before = zeroed(SIGACTION_SIZE);
        C.sigaction(SIGPIPE, null, before);
        try {
            Class.forName("com.zaxxer.nuprocess.linux.LinuxProcess", true, ChildSignals.class.getClassLoader());
        }
        catch (ClassNotFoundException e) {
            throw new IllegalStateException("NuProcess's Linux launcher is missing from the class path", e);
        }
        Memory now = zeroed(SIGACTION_SIZE);
        C.sigaction(SIGPIPE, null, now);
        if (handler(now) != SIG_IGN) {
            return;
        }
        if (isHandler(before)) {
            C.sigaction(SIGPIPE, before, null);
            return;
        }
        // NuProcess loaded before us: HotSpot installs the same ignoring handler for SIGXFSZ, so borrow that one
        Memory xfsz = zeroed(SIGACTION_SIZE);
        C.sigaction(SIGXFSZ, null, xfsz);
        if (isHandler(xfsz)) {
            C.sigaction(SIGPIPE, xfsz, null);
        }
        // otherwise no handler is known that keeps the JVM alive on a broken pipe: SIGPIPE stays ignored
    }

    /** Empties the calling thread's signal mask until {@link #restore(Memory)}; returns the mask to restore. */
    static Memory unblockAll() {
        Memory saved = SAVED_MASK.get();
        if (LINUX) {
            C.pthread_sigmask(SIG_SETMASK, EMPTY_SET, saved);
        }
        return saved;
    }

    /** Puts back the mask {@link #unblockAll()} returned on this thread. */
    static void restore(Memory saved) {
        if (LINUX) {
            C.pthread_sigmask(SIG_SETMASK, saved, null);
        }
    }

    private static long handler(Memory action) {
        return Native.POINTER_SIZE == 8 ? action.getLong(0) : action.getInt(0);
    }

    private static boolean isHandler(Memory action) {
        long h = handler(action);
        return h != SIG_DFL && h != SIG_IGN;
    }

    private static Memory zeroed(int size) {
        Memory m = new Memory(size);
        m.clear();
        return m;
    }
}
