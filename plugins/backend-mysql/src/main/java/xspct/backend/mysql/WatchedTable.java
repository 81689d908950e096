package xspct.backend.mysql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import xspct.api.ConfigNode;

/**
 * A query's {@code change_feed} section: the table whose changes evict cached answers and the columns holding the
 * addresses. An empty {@code key_columns} means that any change of the table evicts everything.
 *
 * @param table      {@code change_feed.table}
 * @param keyColumns {@code change_feed.key_columns}
 */
record WatchedTable(String table, List<String> keyColumns) {
    /** Unquoted MySQL identifiers; anything else is refused rather than quoted into trigger text. */
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_$]{1,64}");

    /** Copies the columns. */
    WatchedTable {
        keyColumns = List.copyOf(keyColumns);
    }

    /**
     * Reads the section; problems are recorded against their key paths.
     *
     * @param query the query section
     * @return the watched table, or empty when the query has no (valid) {@code change_feed}
     */
    static Optional<WatchedTable> read(ConfigNode query) {
        ConfigNode cf = query.get("change_feed");
        if (!cf.exists() || cf.isNull()) {
            return Optional.empty();
        }
        if (!cf.isMap()) {
            cf.problem("must be a mapping with table and key_columns");
            return Optional.empty();
        }
        boolean ok = true;
        for (String k : cf.map().keySet()) {
            if (!k.equals("table") && !k.equals("key_columns")) {
                cf.get(k).problem("unknown key; expected table and key_columns");
                ok = false;
            }
        }
        String table = cf.get("table").requireString();
        if (!table.isEmpty() && !IDENTIFIER.matcher(table).matches()) {
            cf.get("table").problem("must be a plain table name (letters, digits, _ and $, at most 64)");
            ok = false;
        }
        ConfigNode kc = cf.get("key_columns");
        List<String> columns = new ArrayList<>();
        if (!kc.exists()) {
            kc.problem("is required: the columns holding addresses, or [] to evict everything on any change");
            ok = false;
        } else {
            for (String c : kc.asStringList(List.of())) {
                if (!IDENTIFIER.matcher(c).matches()) {
                    kc.problem("'" + c + "' is not a plain column name (letters, digits, _ and $, at most 64)");
                    ok = false;
                } else if (!columns.contains(c)) {
                    columns.add(c);
                }
            }
        }
        return ok && !table.isEmpty() ? Optional.of(new WatchedTable(table, columns)) : Optional.empty();
    }
}
