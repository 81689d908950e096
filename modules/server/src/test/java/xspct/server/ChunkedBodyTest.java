package xspct.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.helidon.common.buffers.DataReader;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkedBodyTest {
    private static final String NEXT = "GET /ping HTTP/1.1\r\n";

    /** The bytes as a connection would deliver them, in pieces of {@code piece} bytes, then the end. */
    private static DataReader connection(String text, int piece) {
        byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        Deque<byte[]> pieces = new ArrayDeque<>();
        for (int i = 0; i < bytes.length; i += piece) {
            pieces.add(Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + piece)));
        }
        return DataReader.create(pieces::poll);
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("3\r\nabc\r\n0\r\n\r\n", "abc"),
                Arguments.of("3;a=b\r\nabc\r\n0\r\n\r\n", "abc"),
                Arguments.of("3 ; a=\"b;c\"\r\nabc\r\n0;last\r\n\r\n", "abc"),
                Arguments.of("3\t;a\r\nabc\r\n0\r\n\r\n", "abc"),
                Arguments.of("A\r\n0123456789\r\n1\r\nx\r\n0\r\n\r\n", "0123456789x"),
                Arguments.of("a\r\n0123456789\r\n000\r\n\r\n", "0123456789"),
                Arguments.of("0\r\n\r\n", ""),
                Arguments.of("2\r\n\r\n\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n", "\r\n"));
    }

    @ParameterizedTest
    @MethodSource("valid")
    void validBodiesAreDecodedWhateverThePiecesTheyArriveIn(String framed, String body) {
        for (int piece : new int[] {1, 2, 3, 7, 1000}) {
            DataReader in = connection(framed + NEXT, piece);
            assertEquals(body, new String(ChunkedBody.read(in, 1000), StandardCharsets.ISO_8859_1), "piece " + piece);
            // exactly the body is read: the next request is left for the connection
            assertEquals(NEXT, in.readAsciiString(NEXT.length()), "piece " + piece);
        }
    }

    /**
     * Broken framing is refused as soon as its offending byte arrives: the connection ends right after that byte here,
     * so a decoder that wanted more would fail with end of data instead.
     */
    @ParameterizedTest
    @ValueSource(strings = {
            "2\r\nabc", // data longer than its size
            "2\r\nab\n", // data not followed by CRLF
            "2\r\nab\rx",
            "z", "-", " ", "\r", ";", "\n", // no size
            "0x", "3 \r", "3 x", "3\n", "3\rx", "3;a\n", "3;a\0", "3;a\u007f",
            "FFFFFFFFFFFFFFFFF", // 17 digits: more than 64 bits
            "0\r\n\n", "0\r\nX: 1\n", "0\r\nX: \0", "0\r\n\rx"})
    void brokenFramingIsRefusedAtOnce(String framed) {
        assertThrows(ChunkedBody.Malformed.class, () -> ChunkedBody.read(connection(framed, 1), 1000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz", "-1", "FFFFFFFFFFFFFFFFFF", " 3 ", "0x3", "LF"})
    void theSizesRefusedBeforeAreStillRefused(String size) {
        String framed = size.equals("LF") ? "2\n{}\n0\n\n" : size + "\r\n{}x\r\n0\r\n\r\n";
        assertThrows(ChunkedBody.Malformed.class, () -> ChunkedBody.read(connection(framed, 4), 1000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"FFFFFF\r\n", "3e9\r\n", "1f4\r\n<500>\r\n1f5\r\n"})
    void aChunkPastTheLimitIsRefusedBeforeItsDataIsRead(String text) {
        String framed = text.replace("<500>", "x".repeat(500));
        // the connection ends after the size line: the data was never waited for
        assertThrows(ChunkedBody.TooLarge.class, () -> ChunkedBody.read(connection(framed, 3), 1000));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 999, 1000})
    void aBodyUpToTheLimitIsRead(int size) {
        String data = "x".repeat(size);
        String framed = (size == 0 ? "" : Integer.toHexString(size) + "\r\n" + data + "\r\n") + "0\r\n\r\n";
        assertEquals(size, ChunkedBody.read(connection(framed, 64), 1000).length);
    }

    @ParameterizedTest
    @ValueSource(ints = {ChunkedBody.MAX_LINE - 1, ChunkedBody.MAX_LINE + 1})
    void extensionsAndTrailersHaveALengthLimit(int length) {
        String ext = "3;" + "e".repeat(length) + "\r\nabc\r\n0\r\n\r\n";
        String trailer = "3\r\nabc\r\n0\r\nX: " + "t".repeat(length - 3) + "\r\n\r\n";
        for (String framed : new String[] {ext, trailer}) {
            if (length < ChunkedBody.MAX_LINE) {
                assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII), ChunkedBody.read(connection(framed, 512),
                        1000));
            } else {
                assertThrows(ChunkedBody.Malformed.class, () -> ChunkedBody.read(connection(framed, 512), 1000));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"2\r\nab", "2\r\nab\r\n", "3;a=b", "0\r\n", "0\r\nX: 1\r\n"})
    void aBodyCutShortIsNotMalformedButEndOfData(String framed) {
        // the connection ended (or the guard's deadline cut it): nobody is left to answer
        assertThrows(DataReader.InsufficientDataAvailableException.class,
                () -> ChunkedBody.read(connection(framed, 1), 1000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz", "3;a\0secret", "2\r\nabcdef"})
    void messagesNeverQuoteTheClientsBytes(String framed) {
        String message = assertThrows(ChunkedBody.Malformed.class,
                () -> ChunkedBody.read(connection(framed, 1), 1000)).getMessage();
        assertFalse(message.contains("zz") || message.contains("secret") || message.contains("cdef"), message);
        assertFalse(IntStream.range(0, message.length()).anyMatch(i -> message.charAt(i) < 0x20), message);
    }
}
