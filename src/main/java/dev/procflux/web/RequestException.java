package dev.procflux.web;

/**
 * A request refused before or while it ran, with the HTTP status to answer: unknown action, unreadable body, body
 * over its limit, missing token.
 */
final class RequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The HTTP status. */
    private final int status;
    /** The {@code error} keyword of the JSON answer. */
    private final String error;
    /** Whether the request was refused before its body was read, so that the body is still to be drained. */
    private final boolean beforeBody;

    RequestException(int status, String error, String message) {
        this(status, error, message, false);
    }

    private RequestException(int status, String error, String message, boolean beforeBody) {
        super(message);
        this.status = status;
        this.error = error;
        this.beforeBody = beforeBody;
    }

    /** A refusal decided from the request line and headers alone, before anything read the body. */
    static RequestException beforeBody(int status, String error, String message) {
        return new RequestException(status, error, message, true);
    }

    boolean isBeforeBody() {
        return beforeBody;
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }

    static RequestException unknownAction(String name) {
        String shown = name.length() > 64 ? name.substring(0, 64) + "..." : name;
        return new RequestException(404, "unknown-action", "no action named '" + shown + "'");
    }

    static RequestException unknownWorkerPool(String name) {
        String shown = name.length() > 64 ? name.substring(0, 64) + "..." : name;
        return new RequestException(404, "unknown-worker-pool", "no worker pool named '" + shown + "'");
    }

    static RequestException bodyTooLargeBeforeBody(long limit) {
        return beforeBody(413, "body-too-large", "request body is larger than the limit of " + limit + " bytes");
    }

    static RequestException bodyTooLarge(long limit) {
        return new RequestException(413, "body-too-large", "request body is larger than the limit of " + limit
                + " bytes");
    }
}
