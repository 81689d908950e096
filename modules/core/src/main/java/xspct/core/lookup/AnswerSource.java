package xspct.core.lookup;

import java.util.List;
import java.util.Optional;

/**
 * Where the pipeline's answers come from for the records the caches did not answer: the configured queries
 * ({@link Dispatcher}), or an edge snapshot in front of or instead of them ({@link SnapshotAnswers}).
 */
interface AnswerSource {

    /**
     * Answers the records into {@code answer}.
     *
     * @param records      the records
     * @param answer       receives users and address to primary key entries
     * @param wildcardPass true for the wildcard keys of unresolved addresses
     * @return the error body of the first failing query, if any
     * @throws InterruptedException when cancelled
     */
    Optional<String> run(List<QueryRecord> records, Answer answer, boolean wildcardPass) throws InterruptedException;

    /**
     * The wildcard keys of an address when this source derives them itself (an edge in primary mode has no wildcard
     * queries of its own); empty to derive them from the configured wildcard queries.
     *
     * @param canonical the canonical address
     * @return the keys, or empty
     */
    default Optional<List<String>> wildcardKeys(String canonical) {
        return Optional.empty();
    }
}
