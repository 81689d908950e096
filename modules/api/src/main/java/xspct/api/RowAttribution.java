package xspct.api;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which addresses of a batch a row of a batched search answers, for backends that fetch a whole batch
 * with one search or statement (LDAP, SQL) and therefore cannot tell from the protocol which request a row
 * belongs to.
 *
 * <p>The rules (xspct_db's row attribution, with fixes described in docs/compatibility.md, "Backend rows are attributed
 * to every address they answer"):
 * <ol>
 *   <li><b>Direct owners.</b> A row belongs to every request one of whose searched values (its
 *       {@link LookupRequest#values() values}, username and address) equals one of the row's values. This covers
 *       a mailbox found by its address, an alias and the primary address resolved by the same row, and a chained
 *       ({@code use_result}) row shared by several requests: each of them gets the row (docs/compatibility.md: "Backend
 * rows are attributed to every address they answer").</li>
 *   <li><b>Substitution owners.</b> A row without direct owners (e.g. a catch-all {@code @domain} row) belongs to
 *       every request one of whose substituted values (the values put into the search, such as the domain, or a
 *       bound parameter {@code @ex.de}) equals one of the row's values, unless that request has a direct row
 *       somewhere in the same result: a catch-all never overrides the mailbox's own row.</li>
 * </ol>
 * Values are compared case-insensitively ({@link Locale#ROOT} lower case), so a client's {@code Alice@Ex.DE} finds
 * the stored {@code alice@ex.de} (docs/compatibility.md: "Backend rows are attributed to every address they answer").
 * The outcome depends only on the request order and the row order (docs/compatibility.md: "Backend rows are attributed
 * to every address they answer"):
 * owners are listed in request order, and when several rows answer one request, the later row's primary key
 * wins, as a later real primary key does in the original.
 *
 * <p>Each (row, owner) pair becomes its own {@link BackendEntry.Found} with that single owner, so that the core
 * merges a chained row into every owner's own (forced) primary key; a row without owners becomes one entry with
 * no owners, merged under its own primary key without answering any address.
 *
 * <p>Instances are immutable and cheap; create one per batch. Thread-safe.
 */
public final class RowAttribution {
    private final int size;
    private final List<Set<String>> searched;
    private final List<Set<String>> substituted;

    /**
     * Prepares attribution for one batch.
     *
     * @param batch       the batch as handed to {@link Backend#lookup}
     * @param substituted for each request (same order and size as {@code batch}), the values that were put into
     *                    the search for it: filter placeholder values, SQL parameters; may be empty
     */
    public RowAttribution(List<LookupRequest> batch, List<? extends Collection<String>> substituted) {
        Objects.requireNonNull(batch, "batch");
        Objects.requireNonNull(substituted, "substituted");
        if (batch.size() != substituted.size()) {
            throw new IllegalArgumentException("batch has " + batch.size() + " requests but substituted has "
                    + substituted.size() + " lists");
        }
        this.size = batch.size();
        List<Set<String>> s = new ArrayList<>(size);
        List<Set<String>> sub = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            LookupRequest r = batch.get(i);
            Set<String> keys = new HashSet<>();
            addKey(r.username(), keys);
            addKey(r.address(), keys);
            for (String v : r.values()) {
                addKey(v, keys);
            }
            s.add(keys);
            Set<String> subKeys = new HashSet<>();
            for (String v : substituted.get(i)) {
                addKey(v, subKeys);
            }
            sub.add(subKeys);
        }
        this.searched = List.copyOf(s);
        this.substituted = List.copyOf(sub);
    }

    /**
     * The owners of each row.
     *
     * @param rowValues for each row, the string forms of its values (see {@link #rowValues(Map)})
     * @return for each row, the indices of the requests it answers, in request order; empty for none
     */
    public List<List<Integer>> owners(List<? extends Collection<String>> rowValues) {
        List<Set<String>> rows = new ArrayList<>(rowValues.size());
        for (Collection<String> values : rowValues) {
            Set<String> keys = new HashSet<>(values.size() * 2);
            for (String v : values) {
                addKey(v, keys);
            }
            rows.add(keys);
        }
        List<List<Integer>> direct = new ArrayList<>(rows.size());
        boolean[] hasDirectRow = new boolean[size];
        for (Set<String> row : rows) {
            List<Integer> d = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                if (intersects(searched.get(i), row)) {
                    d.add(i);
                    hasDirectRow[i] = true;
                }
            }
            direct.add(d);
        }
        List<List<Integer>> out = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            if (!direct.get(r).isEmpty()) {
                out.add(List.copyOf(direct.get(r)));
                continue;
            }
            List<Integer> s = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                if (!hasDirectRow[i] && intersects(substituted.get(i), rows.get(r))) {
                    s.add(i);
                }
            }
            out.add(List.copyOf(s));
        }
        return out;
    }

    /**
     * Attributes rows and wraps them as entries: one entry per (row, owner), or one owner-less entry for a row
     * that answers no request. Row values are taken from the row itself ({@link #rowValues(Map)}).
     *
     * @param rows the raw rows, in result order
     * @return the entries, in row order
     */
    public List<BackendEntry> entries(List<Map<String, Object>> rows) {
        List<List<String>> values = new ArrayList<>(rows.size());
        for (Map<String, Object> row : rows) {
            values.add(rowValues(row));
        }
        List<List<Integer>> owners = owners(values);
        List<BackendEntry> out = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            List<Integer> o = owners.get(r);
            if (o.isEmpty()) {
                out.add(new BackendEntry.Found(rows.get(r), List.of()));
            }
            for (Integer i : o) {
                out.add(new BackendEntry.Found(rows.get(r), List.of(i)));
            }
        }
        return out;
    }

    /**
     * The string forms of a raw row's values: lists flattened, nulls skipped, byte arrays decoded as UTF-8
     * (skipped when not valid UTF-8), other scalars with {@link String#valueOf(Object)}.
     *
     * @param row a raw row (attribute or column name to value)
     * @return the values, in row order
     */
    public static List<String> rowValues(Map<String, ?> row) {
        List<String> out = new ArrayList<>();
        for (Object v : row.values()) {
            addValue(v, out);
        }
        return out;
    }

    private static void addValue(Object v, List<String> out) {
        if (v == null) {
            return;
        }
        if (v instanceof Collection<?> c) {
            for (Object o : c) {
                addValue(o, out);
            }
        } else if (v instanceof byte[] b) {
            try {
                out.add(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString());
            } catch (CharacterCodingException e) {
                // binary data never equals an address
            }
        } else {
            out.add(String.valueOf(v));
        }
    }

    private static boolean intersects(Set<String> a, Set<String> b) {
        Set<String> small = a.size() <= b.size() ? a : b;
        Set<String> large = small == a ? b : a;
        for (String s : small) {
            if (large.contains(s)) {
                return true;
            }
        }
        return false;
    }

    /** Empty values never attribute anything (an empty column must not match an empty userpart). */
    private static void addKey(String s, Set<String> keys) {
        if (s != null && !s.isEmpty()) {
            keys.add(s.toLowerCase(Locale.ROOT));
        }
    }
}
