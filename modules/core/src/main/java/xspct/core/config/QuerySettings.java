package xspct.core.config;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One entry of {@code xspct_db_queries}: the keys every query has, whatever its {@code db_type}.
 *
 * @param name                     the query name (label, pool key, default {@code yaml_root})
 * @param dbType                   {@code db_type}; empty when missing (a no-op query, as in the original)
 * @param primaryKey               {@code primary_key}, default {@code mail}
 * @param attrList                 {@code attr_list}; empty Optional = keep every attribute
 * @param keyTranslation           {@code key_translation} of the query, else the global map
 * @param valueSplit               {@code value_split} of the query, else the global map
 * @param useResult                {@code use_result}
 * @param resultObjectAttr         {@code result_object_attr}
 * @param wildcard                 {@code wildcard_domain_query}
 * @param wildcardKeyPattern       {@code wildcard_key_pattern}, empty when not set
 * @param wildcardKeyReplacement   {@code wildcard_key_replacement}; empty Optional when absent (match mode)
 * @param section                  the whole section, handed to the backend plugin
 */
public record QuerySettings(String name, String dbType, String primaryKey, Optional<List<String>> attrList,
                            Map<String, String> keyTranslation, Map<String, String> valueSplit,
                            boolean useResult, String resultObjectAttr, boolean wildcard,
                            String wildcardKeyPattern, Optional<String> wildcardKeyReplacement,
                            YamlNode section) {

    static QuerySettings read(String name, YamlNode q, Map<String, String> globalKt, Map<String, String> globalVs) {
        if (!q.isMap()) {
            q.problem("a query must be a mapping of its settings");
        }
        String dbType = q.get("db_type").asString("");
        String pk = q.get("primary_key").asString("mail");
        YamlNode al = q.get("attr_list");
        Optional<List<String>> attrList = Optional.empty();
        if (!al.isNull()) {
            List<String> l = al.asStringList(List.of());
            if (l.isEmpty() || !"*".equals(l.get(0))) {
                attrList = Optional.of(l);
            }
        }
        Map<String, String> kt = q.get("key_translation").exists() ? q.get("key_translation").asStringMap() : globalKt;
        Map<String, String> vs = q.get("value_split").exists() ? q.get("value_split").asStringMap() : globalVs;
        YamlNode repl = q.get("wildcard_key_replacement");
        return new QuerySettings(name, dbType, pk, attrList, kt, vs,
                q.get("use_result").asBoolean(false), q.get("result_object_attr").asString(""),
                q.get("wildcard_domain_query").asBoolean(false),
                q.get("wildcard_key_pattern").asString(""),
                repl.exists() ? Optional.of(repl.asString("")) : Optional.empty(), q);
    }
}
