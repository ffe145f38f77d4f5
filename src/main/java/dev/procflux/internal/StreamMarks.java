package dev.procflux.internal;

/**
 * The backpressure constants, in one place, and the adaptive high-water mark of one stream.
 *
 * <p>A stream starts with {@link #INITIAL_MARK} and earns a larger mark, up to the configured
 * {@code highWaterBytes}, only while its subscriber keeps draining: a subscriber that asked for more and found the
 * queue empty, with nothing new emitted since the drain loop resumed the process, was starved by the pause, so
 * the mark was too small for it and grows {@link #GROWTH}-fold. A subscriber that stops asking while its process
 * is paused falls back to {@link #INITIAL_MARK}. Marks grow only while the engine's budget could give every stream
 * that may run at once the largest mark: beyond that many streams the budget bounds them anyway, and marks earned by some and lost
 * by others would give equal subscribers unequal chunks, pipes and shares of the CPU. So a stalled or slow subscriber costs at most the small mark plus
 * the slack after a stop ({@link #PIPE_SIZE}), whatever the maximum is, and a fast one pays for few pauses.
 *
 * <p>A stream's stdout pipe follows its mark ({@link #pipeFor}: a quarter of it, from the default 64 KiB up to
 * 1 MiB): the child runs further ahead and every NuProcess read takes a full 64 KiB, which costs fewer wake-ups and
 * chunks per byte. The pause point moves down by the extra capacity, so the bound stays {@code mark + 64 KiB}; the
 * pipe shrinks back with the mark.
 *
 * <p>The engine's budget counts, besides the queued bytes, each running stream's {@link #reserve}: what it may
 * still queue after the read that pauses it. A stream takes its reserve when its process starts and gives it back at
 * its finish; a stream waiting for a slot has no process, can queue nothing and holds nothing, however many wait
 * (only the slots free for them count {@link #BUDGET_FLOOR} each, at most {@code maxConcurrency} of them). Every
 * stream gets the same stdout pipe at most ({@link #fairPipe}): the largest whose reserves, for as many streams as
 * may run at once, take at most half the budget. Once queued bytes and reserves pass half
 * the budget, a stream holding more than two full pipes ({@link #holdsTheMost}) whose subscriber asks for nothing
 * pauses at its next read, so the streams holding the most stop first; one whose subscriber keeps up goes on. Once they pass the budget itself,
 * every stream that reads pauses, so the total stays within the budget. With
 * a one-page pipe ({@link #PAGE_PIPE}) a stream's reserve is {@link #BUDGET_FLOOR}, and a budget of at least that
 * much per running stream holds a thousand stalled streams.
 *
 * <p>Public only so that {@code ProcessEngine.Builder} can validate marks against the same figures; not API.
 */
public final class StreamMarks {
    /** The most one NuProcess read delivers per callback ({@code NuProcess.BUFFER_CAPACITY}). */
    public static final int READ_SIZE = 64 * 1024;
    /**
     * The largest stdout chunk of one I/O callback when the stream reads ahead of NuProcess (see
     * {@code StreamOutput#stdoutReadAhead}): below G1's humongous-object threshold on every heap (half of the
     * smallest, 1 MiB, region).
     */
    static final int MAX_CHUNK = 256 * 1024;
    /** The capacity Linux gives a new pipe: what the child may still have written when the SIGSTOP lands. */
    public static final int PIPE_SIZE = 64 * 1024;
    /** What a write in progress may still push after the SIGSTOP lands (a few pages; seen up to 8 KiB). */
    public static final int STOP_SLACK = 16 * 1024;
    /**
     * The room a high-water mark leaves below itself: the process is paused while one more read and the stop slack
     * still fit under the mark, and what its pipe still holds then is the documented {@code + 64 KiB}.
     */
    public static final int PAUSE_MARGIN = READ_SIZE + STOP_SLACK;
    /** The mark every stream starts with and falls back to when its subscriber stalls. */
    public static final long INITIAL_MARK = 128 * 1024;
    /** How much a starved stream's mark grows at a time (like TCP's window, in few steps to the maximum). */
    static final int GROWTH = 4;
    /** The smallest stdout pipe a stream gets (the fair pipe of many streams): one page, the smallest Linux gives. */
    public static final int PAGE_PIPE = 4096;
    /**
     * The reserve of a stream with a one-page pipe ({@code reserve(PAGE_PIPE)}, 12 KiB): the budget holds whenever it
     * is at least this much per stream that may run at once.
     */
    public static final long BUDGET_FLOOR = 3 * PAGE_PIPE;
    /** The largest stdout pipe a stream asks for (Linux's default {@code /proc/sys/fs/pipe-max-size}). */
    static final int MAX_PIPE = 1024 * 1024;

    /**
     * @param running the streams that may run at once (each reserves for its pipe; streams waiting for a slot
     *        reserve nothing and are not counted)
     * @return the largest stdout pipe, a power of two from {@link #PAGE_PIPE} to {@link #MAX_PIPE}, whose reserves
     *         for {@code running} streams take at most half of {@code budget}; {@link #PAGE_PIPE} when even that does
     *         not fit
     */
    static int fairPipe(long budget, int running) {
        long n = Math.max(1, running);
        long room = budget / 2;
        int pipe = MAX_PIPE;
        while (pipe > PAGE_PIPE && n * reserve(pipe) > room) {
            pipe /= 2;
        }
        return pipe;
    }

    /**
     * @return whether a stream that queued {@code queued} bytes with a stdout pipe of {@code pipeSize} holds more than
     *         its share while the budget's soft limit is passed: more than two full pipes, which a subscriber that
     *         keeps up (at most one chunk behind) never leaves queued
     */
    static boolean holdsTheMost(long queued, int pipeSize) {
        return queued > 2L * pipeSize;
    }

    private final long max;
    private final long maxLow;
    private final long initial;
    // the current high-water mark; written only by the stream's drain loop, read by the I/O thread
    private volatile long mark;

    /**
     * @param max the largest mark ({@code highWaterBytes}), at least {@code PAUSE_MARGIN + 48 KiB}
     * @param maxLow the resume mark that goes with {@code max} ({@code lowWaterBytes}); smaller marks scale it
     */
    StreamMarks(long max, long maxLow) {
        this.max = max;
        this.maxLow = maxLow;
        this.initial = Math.min(INITIAL_MARK, max);
        this.mark = initial;
    }

    /** @return the current high-water mark */
    long mark() {
        return mark;
    }

    /** @return the queued bytes above which the process is paused under {@code mark} */
    static long pauseAt(long mark) {
        return mark - PAUSE_MARGIN;
    }

    /**
     * @return the pause point under {@code mark} with a stdout pipe of {@code pipeSize}: lower by what the pipe holds
     *         beyond the default, so that the queue still stays under {@code mark + 64 KiB} after the stop
     */
    static long pauseAt(long mark, int pipeSize) {
        return mark - PAUSE_MARGIN - (pipeSize - PIPE_SIZE);
    }

    /**
     * @return what a stream with a stdout pipe of {@code pipeSize} may still queue after the read that decides to
     *         pause it: that read (NuProcess reads what the pipe holds, up to {@link #READ_SIZE}), what the pipe
     *         holds when the SIGSTOP lands, and what a write in progress pushes before it lands (at most the pipe
     *         again, at most {@link #STOP_SLACK}). The SIGSTOP is sent within the I/O callback of that read, so
     *         nothing else is read in between.
     */
    static long reserve(int pipeSize) {
        return pipeSize + Math.min(pipeSize, READ_SIZE) + Math.min(pipeSize, STOP_SLACK);
    }

    /**
     * @return the stdout pipe for {@code mark}: a quarter of it as a power of two, within {@link #PIPE_SIZE} and
     *         {@link #MAX_PIPE}
     */
    static int pipeFor(long mark) {
        return (int) Math.max(PIPE_SIZE, Math.min(MAX_PIPE, Long.highestOneBit(mark / 4)));
    }

    /**
     * @return the queued bytes at or below which a paused process is resumed under {@code mark}: the configured
     *         low mark scaled to {@code mark}, and never above half the pause point (hysteresis for small marks)
     */
    long resumeAt(long mark) {
        long scaled = mark == max ? maxLow : (long) ((double) maxLow * mark / max);
        return Math.min(scaled, pauseAt(mark) / 2);
    }

    /** The subscriber was starved by a pause: quadruple the mark, up to the maximum. Drain loop only. */
    void grow() {
        long m = mark;
        if (m < max) {
            mark = m > max / GROWTH ? max : m * GROWTH;
        }
    }

    /** The subscriber stopped asking while the process is paused: back to the initial mark. Drain loop only. */
    void fallBack() {
        mark = initial;
    }
}
