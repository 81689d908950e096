package xspct.core.regex;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class PythonRegexTest {

    @ParameterizedTest(name = "re.sub({0}, {1}, {2}) = {3}")
    @CsvSource(delimiter = '|', value = {
        "^(.*)@old\\.de$        | \\1@new.de              | a@old.de        | a@new.de",
        "^(.*)@old\\.de$        | \\g<1>@new.de           | a@old.de        | a@new.de",
        "^(?P<lp>[^@]+)@(?P<d>.+)$ | \\g<d>/\\g<lp>       | a@ex.de         | ex.de/a",
        ".*@(.+)               | @\\1                    | u@sub.ex.de     | @sub.ex.de",
        ".*@[^.]+\\.(.+)        | @\\1                    | u@sub.ex.de     | @ex.de",
        "x                     | $1\\\\                  | axb             | a$1\\b",
        "^(a)(b)?$             | [\\2]                   | a               | []",
        "de\\Z                 | com                     | ex.de           | ex.com",
        "(?P<x>a)(?P=x)        | b                       | aa              | b",
    })
    void substitutesLikePython(String pattern, String replacement, String input, String expected) {
        PythonRegex r = PythonRegex.compile(pattern);
        assertEquals(expected, r.substituteAll(input, r.replacement(replacement)));
    }

    @Test
    void rejectsWhatCannotBeTranslated() {
        assertThrows(IllegalArgumentException.class, () -> PythonRegex.compile("(unclosed"));
        PythonRegex r = PythonRegex.compile("(a)");
        assertThrows(IllegalArgumentException.class, () -> r.replacement("\\2"));
        assertThrows(IllegalArgumentException.class, () -> r.replacement("\\g<name>"));
        assertThrows(IllegalArgumentException.class, () -> r.replacement("\\q"));
    }

    @Test
    void catastrophicBacktrackingIsCutOffAsNoMatch() {
        PythonRegex evil = PythonRegex.compile("^(a+)+$");
        String attack = "a".repeat(64) + "!";
        long start = System.nanoTime();
        assertFalse(evil.search(attack));
        assertEquals(attack, evil.substituteAll(attack, evil.replacement("x")));
        assertTrue(System.nanoTime() - start < 5_000_000_000L, "bounded by the match budget");
        assertTrue(evil.search("aaaa"));
    }
    /**
     * A nested repetition recurses once per character in Java's matcher: on a long address it would overflow the
     * stack. Inputs past the limit never match, and one within it cannot overflow even a small stack.
     */
    @Test
    void nestedRepetitionCannotOverflowTheStack() throws InterruptedException {
        PythonRegex nested = PythonRegex.compile("^(?P<local>(a|aa)+)@legacy\\.example$");
        PythonRegex.Replacement repl = nested.replacement("\\g<local>@new.example");
        assertTrue(nested.search("aaa@legacy.example"));
        for (int length : new int[] {PythonRegex.MAX_INPUT + 1, 10_000, 100_000}) {
            String attack = "a".repeat(length - "@legacy.example".length()) + "@legacy.example";
            assertFalse(nested.search(attack), length + " characters");
            assertEquals(attack, nested.substituteAll(attack, repl));
            assertTrue(nested.find(attack).isEmpty());
        }
        // the longest input that is matched, also on a thread with a quarter of the usual stack: no error escapes
        String longest = "a".repeat(PythonRegex.MAX_INPUT - "@legacy.example".length()) + "@legacy.example";
        assertTrue(nested.search(longest));
        Throwable[] escaped = new Throwable[1];
        Thread small = new Thread(null, () -> {
            try {
                nested.search(longest);
            } catch (Throwable t) {
                escaped[0] = t;
            }
        }, "small-stack", 256 * 1024);
        small.start();
        small.join();
        assertEquals(null, escaped[0]);
    }
}
