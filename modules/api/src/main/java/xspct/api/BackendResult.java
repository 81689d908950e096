package xspct.api;

import java.util.List;
import java.util.Optional;

/**
 * What a backend returns for one batch.
 *
 * @param entries the entries found (possibly before an error occurred)
 * @param error   the error body the request answers with, such as {@code "500 LDAP query error"}; empty on success
 */
public record BackendResult(List<BackendEntry> entries, Optional<String> error) {

    /** Creates a result, copying the entries. */
    public BackendResult {
        entries = List.copyOf(entries);
    }

    /**
     * A successful result.
     *
     * @param entries the entries
     * @return the result
     */
    public static BackendResult of(List<BackendEntry> entries) {
        return new BackendResult(entries, Optional.empty());
    }

    /**
     * A failed result.
     *
     * @param error the error body, e.g. {@code "500 MySQL connection error"}
     * @return the result
     */
    public static BackendResult failed(String error) {
        return new BackendResult(List.of(), Optional.of(error));
    }
}
