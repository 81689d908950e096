package xspct.core;

import java.util.Map;

/**
 * What a lookup endpoint answers: the users, or an error body (a 500 with the backend's error text).
 */
public sealed interface Reply {

    /**
     * A successful answer.
     *
     * @param users  the {@code users} object of the response, in response order
     * @param source empty when the backends or caches answered, {@code snapshot/<version>} when a snapshot did
     */
    record Users(Map<String, Map<String, Object>> users, String source) implements Reply {
        /** An answer of the backends or caches. */
        public Users(Map<String, Map<String, Object>> users) {
            this(users, "");
        }
    }

    /**
     * A failed lookup.
     *
     * @param body the error body: the text the failing backend gave
     */
    record Failure(String body) implements Reply {
    }
}
