package xspct.core.lookup;

import xspct.api.LookupRequest;

/**
 * One address handed to the dispatcher: the address the answer is attributed to, and the request fields the
 * backends see.
 *
 * @param address the address (a key of the address → primary key map)
 * @param request the request fields
 */
record QueryRecord(String address, LookupRequest request) {

    static QueryRecord of(String address) {
        return new QueryRecord(address, LookupRequest.forAddress(address));
    }
}
