package xspct.cache.caffeine;

/**
 * What L1 keeps under one address: the primary key the address is an alias of, and the user whose primary key it
 * is, either or both. The common address that is its own primary key thus costs one cache entry, not two.
 *
 * @param aliasOf the primary key this address is an alias of; {@link #SELF} when it is the address itself (no second
 *                copy of the text); null when the address is no alias
 * @param user    the user stored under this address as primary key: {@link CompactUser} bytes, or an immutable
 *                copy of a user that cannot be encoded; null when none
 */
record Slot(String aliasOf, Object user) {
    /** {@link #aliasOf} of an address that is an alias of itself. Compared by identity. */
    @SuppressWarnings("StringOperationCanBeSimplified") // a distinct instance: no address is this object
    static final String SELF = new String("self");

    /** {@return this slot with the components of a newer one replacing its own} */
    Slot updatedBy(Slot newer) {
        return new Slot(newer.aliasOf != null ? newer.aliasOf : aliasOf, newer.user != null ? newer.user : user);
    }

    /** {@return this slot without its user; null when nothing is left} */
    Slot withoutUser() {
        return aliasOf == null ? null : new Slot(aliasOf, null);
    }

    /** {@return the entries (alias, user) this slot counts as for max_entries} */
    int entries() {
        return (aliasOf != null ? 1 : 0) + (user != null ? 1 : 0);
    }
}
