/**
 * The benchmark floor: a bare Helidon SE /ping server (and fixed GET and POST answers), no filters, observers or features of
 * ours.
 */
module xspct.bench.floor {
    requires io.helidon.webserver;
}
