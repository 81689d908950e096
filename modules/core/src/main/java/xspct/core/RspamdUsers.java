package xspct.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xspct.core.lookup.Resolution;

/**
 * The users found for an Rspamd settings request.
 *
 * @param users    primary key to record, reduced to the records of the request's found addresses, in discovery order
 * @param keys     address to primary key
 * @param rcptKeys for each requested recipient (duplicates and filtered ones included), its primary key or the
 *                 address itself
 * @param complete false when a backend failed: the answer may lack users and must not be cached
 * @param source   empty, or {@code snapshot/<version>} when an edge snapshot answered (never cached either)
 */
public record RspamdUsers(Map<String, Map<String, Object>> users, Map<String, String> keys, List<String> rcptKeys,
                          boolean complete, String source) {

    static RspamdUsers of(Resolution r, List<String> rcpts) {
        Set<String> pks = new HashSet<>();
        for (String o : r.addresses().originals()) {
            String pk = r.keys().get(o);
            if (pk != null) {
                pks.add(pk);
            }
        }
        Map<String, Map<String, Object>> users = new LinkedHashMap<>();
        r.records().forEach((pk, record) -> {
            if (pks.contains(pk)) {
                users.put(pk, record);
            }
        });
        r.wildcardRecords().forEach((pk, record) -> {
            if (pks.contains(pk)) {
                users.putIfAbsent(pk, record);
            }
        });
        Map<String, String> keys = r.keys().asMap();
        List<String> rcptKeys = new ArrayList<>(rcpts.size());
        for (String rcpt : rcpts) {
            rcptKeys.add(keys.getOrDefault(rcpt, rcpt));
        }
        return new RspamdUsers(Collections.unmodifiableMap(users), keys, Collections.unmodifiableList(rcptKeys),
                r.complete(), r.answeredBy());
    }
}
