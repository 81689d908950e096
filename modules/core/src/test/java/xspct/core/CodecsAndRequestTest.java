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
    private final BodyCodecs with = BodyCodecs.of(List.of(new Fixtures.FakeMsgpack()));
    private final BodyCodecs without = BodyCodecs.of(List.of());

    @Test
    void negotiationFollowsAcceptInTextualOrderThenContentType() {
        assertEquals(BodyFormat.JSON, with.negotiate("application/json;q=0.1, application/msgpack", null));
        assertEquals(BodyFormat.MSGPACK, with.negotiate("text/html, */*, application/x-msgpack", null));
        assertEquals(BodyFormat.MSGPACK, with.negotiate("*/*", "application/msgpack; charset=x"));
        assertEquals(BodyFormat.JSON, with.negotiate("application/json", "application/msgpack"));
        assertEquals(BodyFormat.JSON, with.negotiate(null, null));
        assertEquals(BodyFormat.MSGPACK, with.negotiate("Application/MsgPack", null));
        assertEquals(BodyFormat.JSON, without.negotiate("application/msgpack", "application/msgpack"));
    }

    @Test
    void decodingPicksTheCodecByContentType() {
        assertEquals(Map.of("a", 1L), with.decode("application/x-msgpack", "M{\"a\": 1}".getBytes()));
        assertEquals(Map.of("a", 1L), with.decode("text/plain", "{\"a\": 1}".getBytes()));
        assertEquals(null, with.decode("application/msgpack", new byte[0]));
        assertThrows(MalformedBodyException.class, () -> with.decode("application/msgpack", "{}".getBytes()));
        assertThrows(MalformedBodyException.class, () -> without.decode("application/msgpack", "M{}".getBytes()));
        assertEquals("{}", new String(without.encode(BodyFormat.MSGPACK, Map.of()), StandardCharsets.UTF_8));
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
