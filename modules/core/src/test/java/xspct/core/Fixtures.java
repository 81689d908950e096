package xspct.core;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import xspct.api.Backend;
import xspct.api.BackendEntry;
import xspct.api.BackendProvider;
import xspct.api.BackendResult;
import xspct.api.BodyCodecProvider;
import xspct.api.CacheTierProvider;
import xspct.core.config.ConfigFile;
import xspct.core.config.Settings;
import xspct.core.plugin.PluginRegistry;

/**
 * In-process providers for service-level tests: a static backend over the query's {@code entries}, a failing
 * backend, a gated backend (waits on a latch), and an in-memory L1 tier that records writes.
 */
final class Fixtures {
    private Fixtures() {
    }

    /** Calls of every backend, by query name. */
    static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
    /** The latch gated backends wait on; replace per test. */
    static volatile CountDownLatch gate = new CountDownLatch(0);
    /** Signalled when a gated backend starts. */
    static volatile CountDownLatch entered = new CountDownLatch(1);

    /** {@code db_type: static}: entries pk -> attributes; a value matches the pk or any attribute value. */
    static final class StaticProvider implements BackendProvider {
        @Override
        public String dbType() {
            return "static";
        }

        @Override
        public Backend create(xspct.api.QueryContext c) {
            Map<String, Map<String, Object>> entries = new LinkedHashMap<>();
            c.query().get("entries").map().forEach((pk, n) -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> attrs = new LinkedHashMap<>((Map<String, Object>) n.raw());
                entries.put(pk, attrs);
            });
            String name = c.queryName();
            return requests -> {
                CALLS.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                List<BackendEntry> out = new ArrayList<>();
                for (int i = 0; i < requests.size(); i++) {
                    for (String v : requests.get(i).values()) {
                        for (Map.Entry<String, Map<String, Object>> e : entries.entrySet()) {
                            if (e.getKey().equals(v) || contains(e.getValue(), v)) {
                                Map<String, Object> attrs = new LinkedHashMap<>(e.getValue());
                                attrs.putIfAbsent("mail", List.of(e.getKey()));
                                out.add(new BackendEntry.Found(attrs, List.of(i)));
                            }
                        }
                    }
                }
                return BackendResult.of(out);
            };
        }

        private static boolean contains(Map<String, Object> attrs, String v) {
            for (Object o : attrs.values()) {
                if (o instanceof List<?> l ? l.contains(v) : v.equals(o)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code db_type: fail}: always fails. */
    static final class FailProvider implements BackendProvider {
        @Override
        public String dbType() {
            return "fail";
        }

        @Override
        public Backend create(xspct.api.QueryContext c) {
            return requests -> BackendResult.failed("500 raise custom error");
        }
    }

    /** {@code db_type: gated}: signals {@link #entered}, then waits for {@link #gate}; answers nothing. */
    static final class GatedProvider implements BackendProvider {
        @Override
        public String dbType() {
            return "gated";
        }

        @Override
        public Backend create(xspct.api.QueryContext c) {
            return requests -> {
                CALLS.computeIfAbsent(c.queryName(), k -> new AtomicInteger()).incrementAndGet();
                entered.countDown();
                gate.await();
                return BackendResult.of(List.of());
            };
        }
    }

    static XspctService service(String yaml, List<CacheTierProvider> tiers, List<BodyCodecProvider> codecs) {
        Settings settings = Settings.read(ConfigFile.parse("test", yaml));
        Map<String, BackendProvider> backends = new HashMap<>();
        for (BackendProvider p : List.of(new StaticProvider(), new FailProvider(), new GatedProvider())) {
            backends.put(p.dbType(), p);
        }
        return XspctService.create(settings, new PluginRegistry(List.of(), backends, tiers, List.copyOf(codecs)));
    }

    static XspctService service(String yaml) {
        return service(yaml, List.of(), List.of());
    }

    static int calls(String query) {
        AtomicInteger n = CALLS.get(query);
        return n == null ? 0 : n.get();
    }

    /** A stand-in MessagePack codec: a tagged JSON rendering, enough to see which codec encoded a body. */
    static final class FakeMsgpack extends FakeCodec {
        FakeMsgpack() {
            super("application/msgpack", "application/x-msgpack");
        }
    }

    /** A stand-in codec for any media types: JSON tagged with a leading {@code M}. */
    static class FakeCodec implements BodyCodecProvider {
        private final List<String> mediaTypes;

        FakeCodec(String... mediaTypes) {
            this.mediaTypes = List.of(mediaTypes);
        }

        @Override
        public List<String> mediaTypes() {
            return mediaTypes;
        }

        @Override
        public Object decode(byte[] body) {
            if (body[0] != 'M') {
                throw new IllegalArgumentException("not a fake codec body");
            }
            return xspct.core.codec.JsonCodec.read(java.util.Arrays.copyOfRange(body, 1, body.length));
        }

        @Override
        public byte[] encode(Object value) {
            byte[] j = xspct.core.codec.JsonCodec.write(value);
            byte[] out = new byte[j.length + 1];
            out[0] = 'M';
            System.arraycopy(j, 0, out, 1, j.length);
            return out;
        }
    }

}
