package xspct.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The test parser accepts valid expositions and refuses what a scraper would refuse. */
class PrometheusTextTest {
    private static final String VALID = """
            # HELP a_total A counter.
            # TYPE a_total counter
            a_total{x="1",} 2.0
            a_total{x="q\\"\\\\\\n"} 3
            # TYPE h histogram
            h_bucket{le="0.1"} 1
            h_bucket{le="+Inf"} 2
            h_count 2
            h_sum 0.3
            plain 1.5e3 1700000000000
            """;

    @Test
    void parsesValidText() {
        PrometheusText t = PrometheusText.parse(VALID);
        assertEquals(2.0, t.value("a_total", "x", "1"));
        assertEquals(3.0, t.value("a_total", "x", "q\"\\\n"));
        assertEquals(1500.0, t.value("plain"));
        assertEquals("untyped", t.families().get("plain").type());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "a{x=\"1\"} 1\na{x=\"1\"} 2\n",                  // duplicate series
        "a{x=1} 1\n",                                      // unquoted label value
        "a{x=\"1\" 1\n",                                   // unterminated labels
        "a 1 2 3\n",                                       // too many fields
        "a one\n",                                         // bad value
        "1a 1\n",                                          // bad name
        "# TYPE a counter\nb 1\na 1\n",                    // family not contiguous
        "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n", // not cumulative
        "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n",                          // no +Inf
        "# TYPE a bogus\na 1\n",                           // bad type
        "a 1",                                             // no final line feed
    })
    void refusesInvalidText(String text) {
        assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(text));
    }
}
