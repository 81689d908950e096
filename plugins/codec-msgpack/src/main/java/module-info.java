/**
 * MessagePack bodies for the lookup endpoints, with msgpack-core (an automatic module).
 */
module xspct.codec.msgpack {
    requires xspct.api;
    requires msgpack.core;
    provides xspct.api.BodyCodecProvider with xspct.codec.msgpack.MsgpackCodecProvider;
}
