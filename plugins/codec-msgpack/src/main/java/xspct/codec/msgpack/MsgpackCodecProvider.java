package xspct.codec.msgpack;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessageUnpacker;

import xspct.api.BodyCodecProvider;

/**
 * MessagePack as the original writes it: strings as {@code str}, {@code byte[]} as {@code bin}, floating-point
 * numbers as float64. Decoding keeps {@code str} and {@code bin} apart (a {@code bin} never passes as a string),
 * rejects extension types, invalid UTF-8, nesting deeper than 200 levels and trailing data.
 */
public final class MsgpackCodecProvider implements BodyCodecProvider {
    static {
        // msgpack-core's default buffer reads memory through sun.misc.Unsafe, which JDK 24+ warns about on first use
        // (and a later JDK will refuse); its "universal" buffer uses java.nio.ByteBuffer only. Set before any
        // msgpack class initialises; request bodies are small, the difference in speed does not show.
        if (System.getProperty("msgpack.universal-buffer") == null) {
            System.setProperty("msgpack.universal-buffer", "true");
        }
    }

    private static final int MAX_DEPTH = 200;
    private static final MessagePack.UnpackerConfig UNPACKER = new MessagePack.UnpackerConfig()
            .withActionOnMalformedString(CodingErrorAction.REPORT)
            .withActionOnUnmappableString(CodingErrorAction.REPORT);

    @Override
    public List<String> mediaTypes() {
        return List.of("application/msgpack", "application/x-msgpack");
    }

    @Override
    public Object decode(byte[] body) {
        try (MessageUnpacker u = UNPACKER.newUnpacker(body)) {
            if (!u.hasNext()) {
                throw new IllegalArgumentException("empty body");
            }
            Object v = read(u, 0);
            if (u.hasNext()) {
                throw new IllegalArgumentException("trailing data after the MessagePack value");
            }
            return v;
        } catch (IOException | MessagePackException e) {
            throw new IllegalArgumentException(e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage(), e);
        }
    }

    private static Object read(MessageUnpacker u, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH + " levels");
        }
        MessageFormat f = u.getNextFormat();
        switch (f.getValueType()) {
            case NIL -> {
                u.unpackNil();
                return null;
            }
            case BOOLEAN -> {
                return u.unpackBoolean();
            }
            case INTEGER -> {
                if (f == MessageFormat.UINT64) {
                    BigInteger b = u.unpackBigInteger();
                    return b.bitLength() < 64 ? (Object) b.longValue() : b;
                }
                return u.unpackLong();
            }
            case FLOAT -> {
                return u.unpackDouble();
            }
            case STRING -> {
                return u.unpackString();
            }
            case BINARY -> {
                int n = u.unpackBinaryHeader();
                return u.readPayload(n);
            }
            case ARRAY -> {
                int n = u.unpackArrayHeader();
                List<Object> l = new ArrayList<>(Math.min(n, 1024)); // a header may claim more than the body holds
                for (int i = 0; i < n; i++) {
                    l.add(read(u, depth + 1));
                }
                return l;
            }
            case MAP -> {
                int n = u.unpackMapHeader();
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object k = read(u, depth + 1);
                    m.put(k, read(u, depth + 1));
                }
                return m;
            }
            default -> throw new IllegalArgumentException("unsupported MessagePack type " + f.getValueType());
        }
    }

    @Override
    public byte[] encode(Object value) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            write(p, value);
            return p.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("MessagePack encoding failed", e);
        }
    }

    private static void write(MessageBufferPacker p, Object v) throws IOException {
        switch (v) {
            case null -> p.packNil();
            case String s -> p.packString(s);
            case byte[] b -> {
                p.packBinaryHeader(b.length);
                p.writePayload(b);
            }
            case Boolean b -> p.packBoolean(b);
            case Long n -> p.packLong(n);
            case Integer n -> p.packLong(n);
            case Short n -> p.packLong(n);
            case Byte n -> p.packLong(n);
            case BigInteger n -> p.packBigInteger(n);
            case Double d -> p.packDouble(d);
            case Float f -> p.packDouble(f.doubleValue());
            case BigDecimal d -> p.packDouble(d.doubleValue());
            case Map<?, ?> m -> {
                p.packMapHeader(m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    Object k = e.getKey();
                    write(p, k instanceof String || k instanceof byte[] ? k : String.valueOf(k));
                    write(p, e.getValue());
                }
            }
            case List<?> l -> {
                p.packArrayHeader(l.size());
                for (Object o : l) {
                    write(p, o);
                }
            }
            case java.util.Collection<?> c -> write(p, List.copyOf(c));
            default -> p.packString(String.valueOf(v));
        }
    }
}
