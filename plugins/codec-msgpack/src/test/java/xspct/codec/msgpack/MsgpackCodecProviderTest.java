package xspct.codec.msgpack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

class MsgpackCodecProviderTest {
    private final MsgpackCodecProvider codec = new MsgpackCodecProvider();

    @Test
    void roundTripKeepsStringsBinaryAndFloat64() throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("s", "ü@ex.de");
        doc.put("b", new byte[] {1, 2, 3});
        doc.put("f", 13.0);
        doc.put("i", 42L);
        doc.put("big", new BigInteger("18446744073709551615"));
        doc.put("l", List.of("a", 1L, true));
        doc.put("n", null);
        byte[] bytes = codec.encode(doc);
        // float64 marker 0xcb for 13.0, str (not bin) marker for strings
        try (var u = MessagePack.newDefaultUnpacker(bytes)) {
            u.unpackMapHeader();
            u.unpackString();
            assertEquals(org.msgpack.core.MessageFormat.FIXSTR, u.getNextFormat());
            u.unpackString();
            u.unpackString();
            assertEquals(org.msgpack.core.MessageFormat.BIN8, u.getNextFormat());
            u.readPayload(u.unpackBinaryHeader());
            u.unpackString();
            assertEquals(org.msgpack.core.MessageFormat.FLOAT64, u.getNextFormat());
        }
        @SuppressWarnings("unchecked")
        Map<Object, Object> back = (Map<Object, Object>) codec.decode(bytes);
        assertEquals("ü@ex.de", back.get("s"));
        assertArrayEquals(new byte[] {1, 2, 3}, (byte[]) back.get("b"));
        assertEquals(13.0, back.get("f"));
        assertEquals(42L, back.get("i"));
        assertEquals(new BigInteger("18446744073709551615"), back.get("big"));
        assertEquals(List.of("a", 1L, true), back.get("l"));
        assertEquals(null, back.get("n"));
    }

    @Test
    void binaryIsNotAString() throws Exception {
        MessageBufferPacker p = MessagePack.newDefaultBufferPacker();
        p.packMapHeader(1).packString("from").packBinaryHeader(3).writePayload("a@b".getBytes());
        Object doc = codec.decode(p.toByteArray());
        assertInstanceOf(byte[].class, ((Map<?, ?>) doc).get("from"));
    }

    @Test
    void malformedInputIsRejectedWithIllegalArgument() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new byte[] {(byte) 0x92, 0x01})); // short
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new byte[] {0x01, 0x02})); // trailing
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new byte[] {(byte) 0xc1})); // never used
        assertThrows(IllegalArgumentException.class, () -> codec.decode(new byte[] {(byte) 0xd4, 0x01, 0x02})); // ext
        assertThrows(IllegalArgumentException.class,
                () -> codec.decode(new byte[] {(byte) 0xa2, (byte) 0xc3, (byte) 0x28})); // invalid UTF-8
        assertThrows(IllegalArgumentException.class,
                () -> codec.decode(new byte[] {(byte) 0xdd, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff})); // huge
        byte[] deep = new byte[1000];
        java.util.Arrays.fill(deep, (byte) 0x91);
        assertThrows(IllegalArgumentException.class, () -> codec.decode(deep));
    }

    @Test
    void namesBothMediaTypesWithTheCanonicalFirst() {
        assertEquals(List.of("application/msgpack", "application/x-msgpack"), codec.mediaTypes());
    }
}
