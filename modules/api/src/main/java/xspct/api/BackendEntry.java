package xspct.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One result of a backend lookup.
 */
public sealed interface BackendEntry {

    /**
     * A directory or database entry, translated by the core ({@code primary_key}, {@code attr_list},
     * {@code key_translation}, {@code value_split}) and merged into the answer.
     *
     * @param attributes raw attributes in source order; values are strings, numbers, booleans, byte arrays,
     *                   lists of these, or null
     * @param owners     indices into the request batch this entry answers, most specific first. The first owner's
     *                   address is mapped to the entry's primary key; further owners are mapped only if nothing
     *                   else answered them. Empty for an entry that answers no request address.
     */
    record Found(Map<String, Object> attributes, List<Integer> owners) implements BackendEntry {
        /** Creates an entry, copying the owner list (attributes are taken as given, in order). */
        public Found {
            Objects.requireNonNull(attributes, "attributes");
            owners = List.copyOf(owners);
        }
    }

    /**
     * An object merged verbatim into the answer under {@code key}, without translation and without marking any
     * address as found (the {@code dummy} backend's reply).
     *
     * @param key    the key in the answer
     * @param object the object
     */
    record Verbatim(String key, Map<String, Object> object) implements BackendEntry {
        /** Creates an entry. */
        public Verbatim {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(object, "object");
        }
    }
}
