package xspct.core.lookup;

/**
 * The working state of one pass of a lookup: the records found and the primary key of each queried address. Not
 * thread-safe: one request owns it.
 */
final class Answer {
    final UserRecords records = new UserRecords();
    final AddressKeys keys = new AddressKeys();

    boolean found(String address) {
        return keys.found(address);
    }

    /** Folds another answer into this one: records merged, address keys of the other win. */
    void fold(Answer other) {
        other.records.forEach(records::merge);
        keys.putAll(other.keys);
    }
}
