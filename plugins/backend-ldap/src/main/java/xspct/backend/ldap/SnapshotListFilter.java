package xspct.backend.ldap;

import java.util.List;
import java.util.function.Consumer;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.controls.SimplePagedResultsControl;

import xspct.api.ConfigNode;

/**
 * {@code snapshot_list_filter} and {@code snapshot_list_attributes} (default {@code [mail]}): a filter without
 * placeholders selecting every entry the query answers under {@code base_dn}, and the attributes whose values are
 * their addresses, for snapshots. Searched in pages, so that server size limits do not cut the list short.
 *
 * @param filter     the filter, or null when the query does not enumerate
 * @param attributes the address attributes
 */
record SnapshotListFilter(Filter filter, List<String> attributes) {
    static final SnapshotListFilter NONE = new SnapshotListFilter(null, List.of());
    private static final int PAGE = 1000;

    static SnapshotListFilter read(ConfigNode query) {
        ConfigNode n = query.get("snapshot_list_filter");
        String text = n.asString("").strip();
        List<String> attributes = query.get("snapshot_list_attributes").asStringList(List.of("mail"));
        if (text.isEmpty()) {
            return NONE;
        }
        if (attributes.isEmpty()) {
            query.get("snapshot_list_attributes").problem("must name at least one attribute");
        }
        try {
            return new SnapshotListFilter(Filter.create(text), List.copyOf(attributes));
        } catch (LDAPException e) {
            n.problem("is not a valid LDAP filter: " + e.getMessage());
            return NONE;
        }
    }

    boolean configured() {
        return filter != null;
    }

    void run(LDAPConnectionPool pool, String baseDn, Consumer<String> addresses) throws LDAPException {
        ASN1OctetString cookie = null;
        do {
            SearchRequest r = new SearchRequest(baseDn, SearchScope.SUB, filter, attributes.toArray(String[]::new));
            r.addControl(new SimplePagedResultsControl(PAGE, cookie));
            SearchResult result = pool.search(r);
            for (SearchResultEntry e : result.getSearchEntries()) {
                for (String a : attributes) {
                    String[] values = e.getAttributeValues(a);
                    if (values != null) {
                        for (String v : values) {
                            addresses.accept(v);
                        }
                    }
                }
            }
            SimplePagedResultsControl paged = SimplePagedResultsControl.get(result);
            cookie = paged == null ? null : paged.getCookie();
        } while (cookie != null && cookie.getValueLength() > 0);
    }
}
