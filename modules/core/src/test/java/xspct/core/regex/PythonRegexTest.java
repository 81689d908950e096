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
}
