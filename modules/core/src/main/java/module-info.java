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

    exports xspct.core;
    exports xspct.core.config;
    exports xspct.core.plugin;
    exports xspct.core.pipeline;
    exports xspct.core.codec;
    exports xspct.core.regex;
    exports xspct.core.prefilter;
    exports xspct.core.rspamd;
    exports xspct.core.endpoint;
    exports xspct.core.changefeed;

    uses xspct.api.BackendProvider;
    uses xspct.api.CacheTierProvider;
    uses xspct.api.BodyCodecProvider;
}
