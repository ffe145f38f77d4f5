package dev.procflux;

import java.util.List;
import java.util.Objects;

/**
 * A request of the {@link WorkerProtocol#jsonLines()} protocol. Immutable.
 */
public final class WorkRequest {
    private final int requestId;
    private final List<String> arguments;

    private WorkRequest(int requestId, List<String> arguments) {
        this.requestId = requestId;
        this.arguments = arguments;
    }

    /**
     * A request.
     *
     * @param requestId the id the reply must carry; unique among the requests in flight on one worker
     * @param arguments the arguments, copied
     * @return the request
     * @throws NullPointerException if {@code arguments} or an element is null
     */
    public static WorkRequest of(int requestId, List<String> arguments) {
        Objects.requireNonNull(arguments, "arguments");
        return new WorkRequest(requestId, List.copyOf(arguments));
    }

    /** @return the request id */
    public int requestId() {
        return requestId;
    }

    /** @return the arguments, unmodifiable */
    public List<String> arguments() {
        return arguments;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkRequest other && other.requestId == requestId && other.arguments.equals(arguments);
    }

    @Override
    public int hashCode() {
        return requestId * 31 + arguments.hashCode();
    }

    @Override
    public String toString() {
        return "WorkRequest[requestId=" + requestId + ", arguments=" + arguments.size() + "]";
    }
}
