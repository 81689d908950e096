package xspct.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import xspct.core.codec.BodyCodecs;
import xspct.core.codec.BodyFormat;
import xspct.core.codec.MalformedBodyException;

class CodecsAndRequestTest {
    private static final String MSGPACK = "application/msgpack";
    private final BodyCodecs with = BodyCodecs.of(List.of(new Fixtures.FakeMsgpack()));
    private final BodyCodecs without = BodyCodecs.of(List.of());

    @Test
    void negotiationFollowsAcceptInTextualOrderThenContentType() {
        assertEquals(BodyFormat.JSON, with.negotiate("application/json;q=0.1, application/msgpack", null));
        assertEquals(MSGPACK, with.negotiate("text/html, */*, application/x-msgpack", null).contentType());
        assertEquals(MSGPACK, with.negotiate("*/*", "application/msgpack; charset=x").contentType());
        assertEquals(BodyFormat.JSON, with.negotiate("application/json", "application/msgpack"));
        assertEquals(BodyFormat.JSON, with.negotiate(null, null));
        assertEquals(MSGPACK, with.negotiate("Application/MsgPack", null).contentType());
        assertEquals(BodyFormat.JSON, without.negotiate("application/msgpack", "application/msgpack"));
    }

    @Test
    void anyInstalledCodecServesTheMediaTypesItDeclares() {
        BodyCodecs cbor = BodyCodecs.of(List.of(new Fixtures.FakeMsgpack(),
                new Fixtures.FakeCodec("application/cbor")));
        assertEquals("application/cbor", cbor.negotiate("text/html, application/cbor, application/json", null)
                .contentType());
        assertEquals("application/cbor", cbor.negotiate(null, "application/CBOR").contentType());
        assertEquals(MSGPACK, cbor.negotiate("application/x-msgpack, application/cbor", null).contentType());
        assertEquals(Map.of("a", 1L), cbor.decode("application/cbor", "M{\"a\": 1}".getBytes()));
        assertEquals('M', cbor.encode(cbor.negotiate("application/cbor", null), Map.of())[0]);
        assertEquals(List.of(), cbor.missingCodecs());
    }

    @Test
    void withoutTheCodecTheOriginalsFormatFallsBackToJson() {
        // an Accept entry naming the original's format decides, even without its codec: JSON, not a later entry
        BodyCodecs other = BodyCodecs.of(List.of(new Fixtures.FakeCodec("application/cbor")));
        assertEquals(BodyFormat.JSON, other.negotiate("application/msgpack, application/cbor", null));
        assertEquals(List.of("the msgpack codec plugin is not installed: responses are JSON only and MessagePack "
                + "request bodies are refused (400)"), without.missingCodecs());
        assertEquals(List.of(), with.missingCodecs());
    }

    @Test
    void decodingPicksTheCodecByContentType() {
        assertEquals(Map.of("a", 1L), with.decode("application/x-msgpack", "M{\"a\": 1}".getBytes()));
        assertEquals(Map.of("a", 1L), with.decode("text/plain", "{\"a\": 1}".getBytes()));
        assertEquals(null, with.decode("application/msgpack", new byte[0]));
        assertThrows(MalformedBodyException.class, () -> with.decode("application/msgpack", "{}".getBytes()));
        assertThrows(MalformedBodyException.class, () -> without.decode("application/msgpack", "M{}".getBytes()));
        assertEquals("{}", new String(without.encode(without.negotiate("application/msgpack", null), Map.of()),
                StandardCharsets.UTF_8));
    }

    @Test
    void rspamdRequestDefaultsAndNonObjects() {
        assertEquals(RspamdRequest.EMPTY, RspamdRequest.of(null));
        assertEquals(RspamdRequest.EMPTY, RspamdRequest.of(List.of("x")));
        assertEquals(RspamdRequest.EMPTY, RspamdRequest.of("x"));
        assertEquals(RspamdRequest.EMPTY, RspamdRequest.of(Map.of()));
        RspamdRequest r = RspamdRequest.of(Map.of("from", "f@x", "rcpts", List.of("a@x", "a@x"), "mta-name", "mx1",
                "extra", 1));
        assertEquals(List.of("a@x", "a@x"), r.rcpts());
        assertEquals("mx1", r.mtaName());
        assertEquals(null, r.settingsId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"from\": null}", "{\"uid\": 5}", "{\"rcpts\": \"x\"}", "{\"rcpts\": [1]}",
            "{\"rcpts\": [null]}", "{\"rcpts\": null}", "{\"mta-name\": 1}", "{\"settings-id\": []}",
            "{\"ip\": false}"})
    void wrongTypesAreBadRequests(String body) {
        assertThrows(MalformedBodyException.class, () -> RspamdRequest.of(with.decode(null, body.getBytes())));
    }

    @Test
    void keyPartsUseRecipientSetsAndNullForUnusableFields() {
        RspamdRequest a = new RspamdRequest("u1", "f", List.of("x", "y", "x"), "m", "h", "1.2.3.4", null, "id");
        RspamdRequest b = new RspamdRequest("u2", "f", List.of("y", "x"), "m", "other", "5.6.7.8", null, "id");
        List<String> fields = List.of("from", "rcpts", "mta-name", "settings-name", "settings-id", "uid", "ip");
        assertEquals(a.keyParts(fields), b.keyParts(fields));
        assertEquals(Arrays.asList("f", java.util.Set.of("x", "y"), "m", null, "id", null, null), a.keyParts(fields));
    }
}
