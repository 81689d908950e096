/**
 * xspct-db core: configuration, plugin loader, lookup pipeline. Knows nothing of HTTP.
 */
module xspct.core {
    requires transitive xspct.api;
    requires org.yaml.snakeyaml;
    requires com.fasterxml.jackson.core;

    // JDK modules plugins commonly need must be in the boot layer (plugin layers cannot add JDK modules)
    requires java.sql;
    requires java.naming;
    requires java.management;
    requires java.security.sasl;
    requires java.logging;
    requires jdk.unsupported;
    // JDBC drivers may require java.sql.rowset; snapshot plugins may download over java.net.http
    requires java.sql.rowset;
    requires java.net.http;

    // what the server needs: the facade, configuration, plugin loading, body codecs, the log tag and statistics;
    // the lookup, admission, prefilter, regex and rspamd packages are internals
    exports xspct.core;
    exports xspct.core.config;
    exports xspct.core.plugin;
    exports xspct.core.codec;
    exports xspct.core.log;
    exports xspct.core.stats;

    uses xspct.api.BackendProvider;
    uses xspct.api.CacheTierProvider;
    uses xspct.api.BodyCodecProvider;
    uses xspct.api.SnapshotProvider;
}
