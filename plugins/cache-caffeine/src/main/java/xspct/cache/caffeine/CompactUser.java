package xspct.cache.caffeine;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * A user object as one byte array: what L1 keeps instead of nested maps and lists, several times smaller on the heap.
 * Every lookup decodes a fresh immutable copy, so a caller can never change the cached entry. The encoding keeps
 * the Java types (a {@code Long} stays a {@code Long}), {@code null}s, and the order of keys; attribute names are
 * stored as indexes into the tier's {@link AttributeNames}. A value of another type than JSON-like data cannot be
 * encoded: {@link #encode} then returns null and the tier keeps an immutable copy of the objects instead.
 */
final class CompactUser {
    private static final byte NULL = 0;
    private static final byte TRUE = 1;
    private static final byte FALSE = 2;
    private static final byte LATIN1 = 3;   // a string whose chars all fit a byte
    private static final byte UTF16 = 4;    // any other string, char by char (exact, lone surrogates included)
    private static final byte LONG = 5;
    private static final byte INT = 6;
    private static final byte DOUBLE = 7;
    private static final byte FLOAT = 8;
    private static final byte BIG_INTEGER = 9;
    private static final byte BIG_DECIMAL = 10;
    private static final byte BYTES = 11;
    private static final byte LIST = 12;
    private static final byte MAP = 13;

    private CompactUser() {
    }

    /**
     * Encodes a user object.
     *
     * @param user  the user object
     * @param names the tier's attribute names
     * @return the bytes; null when the object holds a value that cannot be encoded
     */
    static byte[] encode(Map<String, Object> user, AttributeNames names) {
        Out out = new Out();
        return out.map(user, names) ? out.toArray() : null;
    }

    /**
     * Decodes a user object.
     *
     * @param bytes what {@link #encode} returned
     * @param names the tier's attribute names
     * @return a fresh immutable user object
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> decode(byte[] bytes, AttributeNames names) {
        return (Map<String, Object>) new In(bytes, names).value();
    }

    /** The growing output buffer. */
    private static final class Out {
        private byte[] buf = new byte[64];
        private int len;

        byte[] toArray() {
            return Arrays.copyOf(buf, len);
        }

        private void ensure(int n) {
            if (len + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + n));
            }
        }

        private void put(byte b) {
            ensure(1);
            buf[len++] = b;
        }

        private void varint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[len++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[len++] = (byte) v;
        }

        private void raw(byte[] b) {
            varint(b.length);
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        private void string(String s) {
            int n = s.length();
            boolean latin1 = true;
            for (int i = 0; i < n && latin1; i++) {
                latin1 = s.charAt(i) < 0x100;
            }
            if (latin1) {
                put(LATIN1);
                raw(s.getBytes(StandardCharsets.ISO_8859_1));
            } else {
                put(UTF16);
                varint(n);
                for (int i = 0; i < n; i++) {
                    char c = s.charAt(i);
                    ensure(2);
                    buf[len++] = (byte) (c >> 8);
                    buf[len++] = (byte) c;
                }
            }
        }

        private boolean map(Map<?, ?> m, AttributeNames names) {
            put(MAP);
            varint(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String k)) {
                    return false;
                }
                int index = names.indexOf(k);
                varint(index + 1L); // 0: the name follows as a string
                if (index < 0) {
                    string(k);
                }
                if (!value(e.getValue(), names)) {
                    return false;
                }
            }
            return true;
        }

        private boolean value(Object v, AttributeNames names) {
            switch (v) {
                case null -> put(NULL);
                case String s -> string(s);
                case Boolean b -> put(b ? TRUE : FALSE);
                case Long n -> {
                    put(LONG);
                    varint(n);
                }
                case Integer n -> {
                    put(INT);
                    varint(n);
                }
                case Double d -> {
                    put(DOUBLE);
                    varint(Double.doubleToRawLongBits(d));
                }
                case Float f -> {
                    put(FLOAT);
                    varint(Float.floatToRawIntBits(f));
                }
                case BigInteger n -> {
                    put(BIG_INTEGER);
                    raw(n.toByteArray());
                }
                case BigDecimal d -> {
                    put(BIG_DECIMAL);
                    varint(d.scale());
                    raw(d.unscaledValue().toByteArray());
                }
                case byte[] b -> {
                    put(BYTES);
                    raw(b);
                }
                case List<?> l -> {
                    put(LIST);
                    varint(l.size());
                    for (Object x : l) {
                        if (!value(x, names)) {
                            return false;
                        }
                    }
                }
                case Map<?, ?> m -> {
                    return map(m, names);
                }
                default -> {
                    return false;
                }
            }
            return true;
        }
    }

    /** The reader of one encoded object. */
    private static final class In {
        private final byte[] buf;
        private final AttributeNames names;
        private int pos;

        In(byte[] buf, AttributeNames names) {
            this.buf = buf;
            this.names = names;
        }

        private long varint() {
            long v = 0;
            int shift = 0;
            byte b;
            do {
                b = buf[pos++];
                v |= (long) (b & 0x7F) << shift;
                shift += 7;
            } while (b < 0);
            return v;
        }

        private byte[] raw() {
            int n = (int) varint();
            byte[] b = Arrays.copyOfRange(buf, pos, pos + n);
            pos += n;
            return b;
        }

        private String string(byte tag) {
            int n = (int) varint();
            String s;
            if (tag == LATIN1) {
                s = new String(buf, pos, n, StandardCharsets.ISO_8859_1);
                pos += n;
            } else {
                char[] c = new char[n];
                for (int i = 0; i < n; i++) {
                    c[i] = (char) (((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF));
                    pos += 2;
                }
                s = new String(c);
            }
            return s;
        }

        Object value() {
            byte tag = buf[pos++];
            return switch (tag) {
                case NULL -> null;
                case TRUE -> Boolean.TRUE;
                case FALSE -> Boolean.FALSE;
                case LATIN1, UTF16 -> string(tag);
                case LONG -> varint();
                case INT -> (int) varint();
                case DOUBLE -> Double.longBitsToDouble(varint());
                case FLOAT -> Float.intBitsToFloat((int) varint());
                case BIG_INTEGER -> new BigInteger(raw());
                case BIG_DECIMAL -> {
                    int scale = (int) varint();
                    yield new BigDecimal(new BigInteger(raw()), scale);
                }
                case BYTES -> raw();
                case LIST -> {
                    // most attribute values are lists of one value: the smallest immutable list that allows null
                    int n = (int) varint();
                    if (n == 1) {
                        yield Collections.singletonList(value());
                    }
                    Object[] l = new Object[n];
                    for (int i = 0; i < n; i++) {
                        l[i] = value();
                    }
                    yield Collections.unmodifiableList(Arrays.asList(l));
                }
                case MAP -> {
                    int n = (int) varint();
                    Object[] kv = new Object[2 * n];
                    for (int i = 0; i < n; i++) {
                        int index = (int) varint() - 1;
                        kv[2 * i] = index < 0 ? string(buf[pos++]) : names.name(index);
                        kv[2 * i + 1] = value();
                    }
                    yield new ArrayMap(kv);
                }
                default -> throw new IllegalStateException("corrupt L1 entry: tag " + tag);
            };
        }
    }

    /**
     * An immutable map over alternating keys and values, in their order: what a decoded object is. User objects
     * have a handful of keys, so a linear search is as fast as hashing and needs no table.
     */
    private static final class ArrayMap extends AbstractMap<String, Object> {
        private final Object[] kv;

        ArrayMap(Object[] kv) {
            this.kv = kv;
        }

        private int indexOf(Object key) {
            for (int i = 0; i < kv.length; i += 2) {
                if (kv[i].equals(key)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public int size() {
            return kv.length / 2;
        }

        @Override
        public boolean containsKey(Object key) {
            return indexOf(key) >= 0;
        }

        @Override
        public Object get(Object key) {
            int i = indexOf(key);
            return i < 0 ? null : kv[i + 1];
        }

        /** Walks the pairs without making an entry object for each, as encoders call it on every answer. */
        @Override
        public void forEach(BiConsumer<? super String, ? super Object> action) {
            for (int i = 0; i < kv.length; i += 2) {
                action.accept((String) kv[i], kv[i + 1]);
            }
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return kv.length / 2;
                }

                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    return new Iterator<>() {
                        private int i;

                        @Override
                        public boolean hasNext() {
                            return i < kv.length;
                        }

                        @Override
                        public Entry<String, Object> next() {
                            if (i >= kv.length) {
                                throw new NoSuchElementException();
                            }
                            Entry<String, Object> e = new SimpleImmutableEntry<>((String) kv[i], kv[i + 1]);
                            i += 2;
                            return e;
                        }
                    };
                }
            };
        }
    }
}
