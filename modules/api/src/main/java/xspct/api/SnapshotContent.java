package xspct.api;

import java.util.Set;

/**
 * The core's side of a snapshot build: enumerates the backends' addresses, resolves them through the normal lookup
 * (caches bypassed) and writes the final answers.
 *
 * @since API 2.1
 */
public interface SnapshotContent {

    /**
     * Writes every enumerable answer into the sink.
     *
     * @param excludeAttributes attributes removed from every user object before it is written
     * @param sink              receives the content
     * @return what was written, for the manifest
     * @throws Exception when a backend failed; the build is abandoned
     */
    Description write(Set<String> excludeAttributes, SnapshotSink sink) throws Exception;

    /**
     * What a build wrote.
     *
     * @param configFingerprint a digest of the configuration the answers came from
     * @param filter            how the content was chosen (enumerated queries, excluded attributes), for people
     */
    record Description(String configFingerprint, String filter) {
    }
}
