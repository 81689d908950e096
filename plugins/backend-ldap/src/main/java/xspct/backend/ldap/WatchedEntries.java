package xspct.backend.ldap;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPException;

import xspct.api.ConfigNode;

/**
 * A query's {@code change_feed} section: the attributes holding the addresses whose cached answers a changed entry
 * affects, and which entries below {@code base_dn} to follow.
 *
 * @param keyAttributes {@code change_feed.key_attributes}
 * @param filter        {@code change_feed.filter}, default {@code (objectClass=*)}
 */
record WatchedEntries(List<String> keyAttributes, Filter filter) {

    WatchedEntries {
        keyAttributes = List.copyOf(keyAttributes);
    }

    /**
     * Reads the section; problems are recorded against their key paths.
     *
     * @return the watched entries, or empty when the query has no (valid) {@code change_feed}
     */
    static Optional<WatchedEntries> read(ConfigNode query) {
        ConfigNode cf = query.get("change_feed");
        if (!cf.exists() || cf.isNull()) {
            return Optional.empty();
        }
        if (!cf.isMap()) {
            cf.problem("must be a mapping with key_attributes");
            return Optional.empty();
        }
        boolean ok = true;
        for (String k : cf.map().keySet()) {
            if (!k.equals("key_attributes") && !k.equals("filter")) {
                cf.get(k).problem("unknown key; expected key_attributes and filter");
                ok = false;
            }
        }
        List<String> attributes = new ArrayList<>();
        for (String a : cf.get("key_attributes").asStringList(List.of())) {
            if (!a.isBlank() && !attributes.contains(a)) {
                attributes.add(a);
            }
        }
        if (attributes.isEmpty()) {
            cf.get("key_attributes").problem("needs at least one attribute holding addresses, e.g. [mail]");
            ok = false;
        }
        Filter filter = null;
        ConfigNode fn = cf.get("filter");
        try {
            filter = Filter.create(fn.asString("(objectClass=*)"));
        } catch (LDAPException e) {
            fn.problem("is not a valid LDAP filter: " + e.getExceptionMessage());
            ok = false;
        }
        return ok ? Optional.of(new WatchedEntries(attributes, filter)) : Optional.empty();
    }
}
