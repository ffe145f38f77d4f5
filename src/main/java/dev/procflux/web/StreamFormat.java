package dev.procflux.web;

/**
 * How {@code /actions/{name}/stream} returns output. A client chooses with its {@code Accept} header; an action's
 * {@link Action#streamFormat()} applies when the header names none of these.
 */
public enum StreamFormat {
    /**
     * {@code text/event-stream}: events {@code stdout} and {@code stderr} with data {@code {"text":"..."}}, then
     * {@code exit} with {@code {"exitCode":0,"signal":null,"durationMs":12}}, or {@code error} with
     * {@code {"status":504,"error":"..."}} when the run fails after the response has started.
     */
    EVENT_STREAM("text/event-stream"),
    /**
     * {@code application/x-ndjson}: one JSON object per line, {@code {"stream":"stdout","text":"..."}},
     * {@code {"stream":"stderr",...}}, then {@code {"stream":"exit",...}} or {@code {"stream":"error",...}}.
     */
    NDJSON("application/x-ndjson"),
    /**
     * {@code application/octet-stream}: stdout's bytes exactly; stderr is discarded. A run that does not exit with
     * status 0 aborts the response, so a client never mistakes a failed run's output for a complete one.
     */
    RAW("application/octet-stream");

    private final String mediaType;

    StreamFormat(String mediaType) {
        this.mediaType = mediaType;
    }

    /** @return the media type of the response */
    public String mediaType() {
        return mediaType;
    }
}
