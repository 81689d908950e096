package org.example.staticdomain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import xspct.api.Backend;
import xspct.api.BackendEntry;
import xspct.api.BackendResult;
import xspct.api.ConfigNode;
import xspct.api.LookupRequest;
import xspct.api.QueryContext;

/**
 * One {@code static_domain} query. Immutable after creation, so {@link #lookup} is thread-safe without locks.
 */
final class StaticDomainBackend implements Backend {
    private final Set<String> domains;
    private final Map<String, Object> entry;

    private StaticDomainBackend(Set<String> domains, Map<String, Object> entry) {
        this.domains = domains;
        this.entry = entry;
    }

    static StaticDomainBackend create(QueryContext context) {
        ConfigNode query = context.query();
        // configuration problems are recorded, not thrown: the core lists them all and refuses to start
        List<String> domains = query.get("domains").asStringList(List.of());
        if (domains.isEmpty()) {
            query.get("domains").problem("needs at least one domain, e.g. domains: [example.net]");
        }
        ConfigNode entryNode = query.get("entry");
        if (!entryNode.isMap()) {
            entryNode.problem("must be a mapping of attributes, e.g. entry: {mail: catchall@example.net}");
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        if (entryNode.isMap()) {
            entryNode.map().forEach((name, value) -> entry.put(name, value.raw()));
        }
        return new StaticDomainBackend(
                domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet()),
                entry);
    }

    @Override
    public BackendResult lookup(List<LookupRequest> requests) {
        List<BackendEntry> found = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            LookupRequest r = requests.get(i);
            if (domains.contains(r.domain().toLowerCase(Locale.ROOT))) {
                // raw attributes: the core applies primary_key, attr_list, key_translation and value_split
                found.add(new BackendEntry.Found(fill(entry, r), List.of(i)));
            }
        }
        return BackendResult.of(found);
    }

    /** The entry with {address}, {userpart} and {domain} in string values replaced by the request's fields. */
    private static Map<String, Object> fill(Map<String, Object> template, LookupRequest r) {
        Map<String, Object> out = new LinkedHashMap<>();
        template.forEach((k, v) -> out.put(k, v instanceof String s ? s
                .replace("{address}", r.address())
                .replace("{userpart}", r.userpart())
                .replace("{domain}", r.domain()) : v));
        return out;
    }
}
