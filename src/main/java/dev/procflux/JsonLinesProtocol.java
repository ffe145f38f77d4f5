package dev.procflux;

import java.util.List;
import java.util.Objects;

/**
 * {@link WorkerProtocol#jsonLines()}: newline-delimited JSON in the spirit of Bazel's JSON worker protocol, with
 * its request and reply types.
 */
public interface JsonLinesProtocol extends WorkerProtocol<JsonLinesProtocol.Request, JsonLinesProtocol.Response> {

    /**
     * A request of the {@link JsonLinesProtocol}. Immutable.
     */
    final class Request {
        private final int requestId;
        private final List<String> arguments;

        private Request(int requestId, List<String> arguments) {
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
        public static Request of(int requestId, List<String> arguments) {
            Objects.requireNonNull(arguments, "arguments");
            return new Request(requestId, List.copyOf(arguments));
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
            return o instanceof Request other && other.requestId == requestId && other.arguments.equals(arguments);
        }

        @Override
        public int hashCode() {
            return requestId * 31 + arguments.hashCode();
        }

        @Override
        public String toString() {
            return "Request[requestId=" + requestId + ", arguments=" + arguments.size() + "]";
        }
    }

    /**
     * A reply of the {@link JsonLinesProtocol}. Immutable.
     */
    final class Response {
        private final int requestId;
        private final int exitCode;
        private final String output;

        private Response(int requestId, int exitCode, String output) {
            this.requestId = requestId;
            this.exitCode = exitCode;
            this.output = output;
        }

        /**
         * A reply.
         *
         * @param requestId the id of the request it answers
         * @param exitCode the worker's status for this request; 0 means success
         * @param output the worker's output for this request
         * @return the reply
         * @throws NullPointerException if {@code output} is null
         */
        public static Response of(int requestId, int exitCode, String output) {
            return new Response(requestId, exitCode, Objects.requireNonNull(output, "output"));
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
            return o instanceof Response other && other.requestId == requestId && other.exitCode == exitCode
                    && other.output.equals(output);
        }

        @Override
        public int hashCode() {
            return Objects.hash(requestId, exitCode, output);
        }

        @Override
        public String toString() {
            return "Response[requestId=" + requestId + ", exitCode=" + exitCode + ", output=" + output.length()
                    + " chars]";
        }
    }
}
