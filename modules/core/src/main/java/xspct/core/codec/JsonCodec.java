package xspct.core.codec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.core.util.MinimalPrettyPrinter;

import xspct.api.BodyCodecProvider;

/**
 * JSON bodies as plain Java data ({@code Map}, {@code List}, {@code String}, {@code Long}/{@code BigInteger},
 * {@code Double}, {@code Boolean}, null), written like Python's {@code json.dumps}: {@code ", "} and {@code ": "}
 * separators, non-ASCII escaped as {@code \\uXXXX}.
 */
public final class JsonCodec {
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(200).build())
            .build();

    private static final ThreadLocal<Writer> WRITERS = ThreadLocal.withInitial(Writer::new);

    /** The media type of JSON bodies. */
    public static final String MEDIA_TYPE = "application/json";

    /** JSON as a codec like those of plugins, so that every format is encoded the same way. */
    static final BodyCodecProvider PROVIDER = new BodyCodecProvider() {
        @Override
        public List<String> mediaTypes() {
            return List.of(MEDIA_TYPE);
        }

        @Override
        public Object decode(byte[] body) {
            return read(body);
        }

        @Override
        public byte[] encode(Object value) {
            return write(value);
        }
    };

    private JsonCodec() {
    }

    /**
     * Parses a JSON document.
     *
     * @param body the bytes (UTF-8)
     * @return the value
     * @throws MalformedBodyException when the body is not one well-formed JSON value
     */
    public static Object read(byte[] body) {
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken t = p.nextToken();
            if (t == null) {
                throw new MalformedBodyException("empty JSON document");
            }
            Object v = value(p, t);
            if (p.nextToken() != null) {
                throw new MalformedBodyException("trailing data after the JSON value");
            }
            return v;
        } catch (IOException | RuntimeException e) {
            if (e instanceof MalformedBodyException m) {
                throw m;
            }
            throw new MalformedBodyException(e.getMessage());
        }
    }

    private static Object value(JsonParser p, JsonToken t) throws IOException {
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                JsonToken n;
                while ((n = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    m.put(name, value(p, p.nextToken()));
                }
                if (n != JsonToken.END_OBJECT) {
                    throw new MalformedBodyException("unterminated object");
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                JsonToken n;
                while ((n = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (n == null) {
                        throw new MalformedBodyException("unterminated array");
                    }
                    l.add(value(p, n));
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT -> {
                return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue()
                        : (Object) p.getLongValue();
            }
            case VALUE_NUMBER_FLOAT -> {
                return p.getDoubleValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            case VALUE_NULL -> {
                return null;
            }
            default -> throw new MalformedBodyException("unexpected token " + t);
        }
    }

    /**
     * Writes a value.
     *
     * @param value plain Java data
     * @return UTF-8 JSON
     */
    public static byte[] write(Object value) {
        Writer w = WRITERS.get();
        if (w.busy) { // not expected (encoding does not call back into encoding), but never share a generator
            w = new Writer();
        }
        w.busy = true;
        try {
            write(w.generator, value);
            w.generator.flush();
            return w.out.take();
        } catch (IOException e) {
            WRITERS.remove(); // the generator may be in the middle of a document
            throw new IllegalStateException("JSON encoding failed", e);
        } catch (RuntimeException | Error e) {
            WRITERS.remove();
            throw e;
        } finally {
            w.busy = false;
        }
    }

    /**
     * A generator kept by each thread and used for one document after another. Making a generator costs as much
     * as encoding a small answer (its I/O context, its buffer taken from and given back to Jackson's pool, its root
     * context), and a connection's thread encodes one answer per request. Each document is complete at the root,
     * so nothing of one is left for the next; the pretty printer's root separator is empty.
     */
    private static final class Writer {
        final ExactBytes out = new ExactBytes();
        final JsonGenerator generator;
        boolean busy;

        Writer() {
            try {
                generator = FACTORY.createGenerator(out, JsonEncoding.UTF8);
            } catch (IOException e) {
                throw new IllegalStateException("JSON encoding failed", e);
            }
            generator.setPrettyPrinter(PythonSeparators.INSTANCE);
        }
    }

    /**
     * The generator's output as one array of its exact length. The generator encodes into its own recycled buffer
     * and hands it over when full and at the end: a body under that buffer's size (8000 bytes) arrives in one write
     * and is copied once, where a {@code ByteArrayOutputStream} grows its own array and copies it again at the end.
     */
    private static final class ExactBytes extends OutputStream {
        private static final byte[] EMPTY = new byte[0];
        private byte[] first = EMPTY;
        private ByteArrayOutputStream more;

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (more != null) {
                more.write(b, off, len);
            } else if (first.length == 0) {
                first = Arrays.copyOfRange(b, off, off + len);
            } else {
                more = new ByteArrayOutputStream(Math.max(2 * (first.length + len), 256));
                more.writeBytes(first);
                more.write(b, off, len);
            }
        }

        /** {@return what was written since the last call, and starts anew} */
        byte[] take() {
            byte[] b = more == null ? first : more.toByteArray();
            first = EMPTY;
            more = null;
            return b;
        }
    }

    private static void write(JsonGenerator g, Object v) throws IOException {
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Map<?, ?> m -> {
                g.writeStartObject();
                try {
                    m.forEach((k, x) -> field(g, k, x)); // no entry objects, unlike iterating entrySet()
                } catch (UncheckedIOException e) {
                    throw e.getCause();
                }
                g.writeEndObject();
            }
            case List<?> l -> {
                g.writeStartArray();
                if (l instanceof RandomAccess) { // most values are one-element lists: no iterator per list
                    for (int i = 0; i < l.size(); i++) {
                        write(g, l.get(i));
                    }
                } else {
                    for (Object o : l) {
                        write(g, o);
                    }
                }
                g.writeEndArray();
            }
            case Boolean b -> g.writeBoolean(b);
            case Long n -> g.writeNumber(n);
            case Integer n -> g.writeNumber(n);
            case BigInteger n -> g.writeNumber(n);
            case Double d -> g.writeNumber(d);
            case Float f -> g.writeNumber(f.doubleValue());
            case BigDecimal d -> g.writeNumber(d);
            default -> g.writeString(String.valueOf(v));
        }
    }

    private static void field(JsonGenerator g, Object name, Object value) {
        try {
            g.writeFieldName(String.valueOf(name));
            write(g, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Python's default {@code json.dumps} separators, and nothing between documents. */
    private static final class PythonSeparators extends MinimalPrettyPrinter {
        private static final long serialVersionUID = 1L;
        static final PythonSeparators INSTANCE = new PythonSeparators();

        PythonSeparators() {
            super("");
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(", ");
        }
    }
}
