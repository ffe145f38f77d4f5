package dev.procflux;

import java.util.Objects;

/**
 * A reply of the {@link WorkerProtocol#jsonLines()} protocol. Immutable.
 */
public final class WorkResponse {
    private final int requestId;
    private final int exitCode;
    private final String output;

    /**
     * @param requestId the id of the request it answers
     * @param exitCode the worker's status for this request; 0 means success
     * @param output the worker's output for this request
     * @throws NullPointerException if {@code output} is null
     */
    public WorkResponse(int requestId, int exitCode, String output) {
        this.requestId = requestId;
        this.exitCode = exitCode;
        this.output = Objects.requireNonNull(output, "output");
    }

    /** @return the id of the request it answers */
    public int requestId() {
        return requestId;
    }

    /** @return the worker's status for this request; 0 means success */
    public int exitCode() {
        return exitCode;
    }

    /** @return the worker's output for this request (empty when the reply had none) */
    public String output() {
        return output;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkResponse other && other.requestId == requestId && other.exitCode == exitCode
                && other.output.equals(output);
    }

    @Override
    public int hashCode() {
        return Objects.hash(requestId, exitCode, output);
    }

    @Override
    public String toString() {
        return "WorkResponse[requestId=" + requestId + ", exitCode=" + exitCode + ", output=" + output.length()
                + " chars]";
    }
}
