package dev.procflux;

import java.io.Serializable;
import java.util.OptionalInt;

/**
 * How a process ended: a normal exit with a status code, or death by a signal.
 *
 * <p>Immutable and serializable (it travels inside {@link ProcessExitException}). A signal death is never confused
 * with an exit code: {@code kill -9} gives {@code isSignaled() == true, signal() == 9}, while {@code exit 9} gives
 * {@code isSignaled() == false, code() == 9}.
 */
public final class ExitStatus implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final ExitStatus[] EXITED = new ExitStatus[256];

    static {
        for (int i = 0; i < EXITED.length; i++) {
            EXITED[i] = new ExitStatus(i, 0);
        }
    }

    /** The exit code; {@code 128 + signal} for a signal death. */
    private final int code;
    /** The signal that killed the process, or 0 for a normal exit. */
    private final int signal;

    private ExitStatus(int code, int signal) {
        this.code = code;
        this.signal = signal;
    }

    /**
     * A normal exit.
     *
     * @param code the exit status, 0 to 255
     * @return the status
     * @throws IllegalArgumentException if {@code code} is outside 0..255
     */
    public static ExitStatus exited(int code) {
        if (code < 0 || code > 255) {
            throw new IllegalArgumentException("exit code must be in 0..255, was " + code);
        }
        return EXITED[code];
    }

    /**
     * A death by signal.
     *
     * @param signal the signal number, 1 to 127
     * @return the status
     * @throws IllegalArgumentException if {@code signal} is outside 1..127
     */
    public static ExitStatus signaled(int signal) {
        if (signal < 1 || signal > 127) {
            throw new IllegalArgumentException("signal must be in 1..127, was " + signal);
        }
        return new ExitStatus(128 + signal, signal);
    }

    /**
     * The exit code; for a signal death, {@code 128 + signal} as POSIX shells report it.
     *
     * @return the exit code
     */
    public int code() {
        return code;
    }

    /**
     * The signal that killed the process, or empty if it exited normally.
     *
     * @return the signal number
     */
    public OptionalInt signal() {
        return signal == 0 ? OptionalInt.empty() : OptionalInt.of(signal);
    }

    /**
     * Whether the process was killed by a signal.
     *
     * @return {@code true} for a signal death
     */
    public boolean isSignaled() {
        return signal != 0;
    }

    /**
     * Whether the process exited normally with status 0.
     *
     * @return {@code true} for {@code exit 0}
     */
    public boolean isSuccess() {
        return signal == 0 && code == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExitStatus other && other.code == code && other.signal == signal;
    }

    @Override
    public int hashCode() {
        return code * 31 + signal;
    }

    @Override
    public String toString() {
        return signal != 0 ? "signal " + signal + " (" + signalName(signal) + ")" : "exit " + code;
    }

    static String signalName(int signal) {
        switch (signal) {
            case 1: return "SIGHUP";
            case 2: return "SIGINT";
            case 3: return "SIGQUIT";
            case 6: return "SIGABRT";
            case 9: return "SIGKILL";
            case 11: return "SIGSEGV";
            case 13: return "SIGPIPE";
            case 14: return "SIGALRM";
            case 15: return "SIGTERM";
            default: return "SIG" + signal;
        }
    }
}
