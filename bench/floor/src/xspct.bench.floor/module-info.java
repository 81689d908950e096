/**
 * The benchmark floor: a bare Helidon SE /ping server (and a fixed GET answer), no filters, observers or features of
 * ours.
 */
module xspct.bench.floor {
    requires io.helidon.webserver;
}
