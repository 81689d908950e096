/**
 * xspct-db HTTP front end (Helidon SE) and entry point.
 */
module xspct.server {
    requires xspct.core;
    requires io.helidon.webserver;
    requires io.helidon.http;
    requires io.helidon.common;
    requires java.logging;

    exports xspct.server;
}
