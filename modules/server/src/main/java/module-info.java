/**
 * xspct-db HTTP front end (Helidon SE) and entry point.
 */
module xspct.server {
    requires xspct.core;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires io.helidon.common;
    requires java.logging;
    requires jdk.unsupported; // sun.misc.Signal: exit 0 on SIGTERM

    exports xspct.server;
}
