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

    RequestException(int status, String error, String message) {
        super(message);
        this.status = status;
        this.error = error;
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

    static RequestException bodyTooLarge(long limit) {
        return new RequestException(413, "body-too-large", "request body is larger than the limit of " + limit
                + " bytes");
    }
}
