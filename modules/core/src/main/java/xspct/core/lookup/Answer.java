package xspct.core.lookup;

/**
 * The working state of one pass of a lookup: the records found and the primary key of each queried address. Not
 * thread-safe: one request owns it.
 */
final class Answer {
    final UserRecords records = new UserRecords();
    final AddressKeys keys = new AddressKeys();
    /** The snapshot version that answered instead of the backends, or null: such answers are never cached. */
    String snapshot;
    /** True when entries past their lifetime (grace) answered because the backends failed: never cached again. */
    boolean stale;

    /** {@return true when the backends answered: only then is the answer written to the caches} */
    boolean cacheable() {
        return snapshot == null && !stale;
    }

    boolean found(String address) {
        return keys.found(address);
    }

    /** Folds another answer into this one: records merged, address keys of the other win. */
    void fold(Answer other) {
        other.records.forEach(records::merge);
        keys.putAll(other.keys);
        if (other.snapshot != null) {
            snapshot = other.snapshot;
        }
        stale |= other.stale;
    }
}
