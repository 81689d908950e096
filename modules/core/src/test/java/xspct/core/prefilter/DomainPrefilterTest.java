package xspct.core.prefilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import xspct.core.config.ConfigFile;
import xspct.core.stats.Counters;

class DomainPrefilterTest {
    private final AtomicLong now = new AtomicLong();
    private final Counters counters = new Counters();

    private DomainPrefilter prefilter(String yaml) {
        DomainPrefilter p = new DomainPrefilter(PrefilterSettings.read(ConfigFile.parse("t", yaml)), counters,
                now::get);
        p.start();
        return p;
    }

    @Test
    void masterSwitchOffLetsEverythingThrough() {
        DomainPrefilter p = prefilter("xspct_db_prefilter_domains: {enabled: true, inline: [ex.de]}");
        assertTrue(p.pass("a@other.org"));
        assertEquals(0, counters.get(Counters.Name.PREFILTER_DOMAIN_MISSES));
    }

    @Test
    void activeSetExpiresIntoBypassAndReloadReactivates() {
        DomainPrefilter p = prefilter("""
                xspct_db_prefilter: {enabled: true}
                xspct_db_prefilter_domains: {enabled: true, inline: [Ex.DE], max_age: 10}
                """);
        assertEquals("ACTIVE", p.state());
        assertTrue(p.pass("a@EX.de"));
        assertFalse(p.pass("a@other.org"));
        now.addAndGet(11_000_000_000L);
        assertTrue(p.pass("a@other.org"), "expired: BYPASS");
        assertEquals("BYPASS", p.state());
        p.reload("test");
        assertFalse(p.pass("a@other.org"));
        assertEquals(1, p.domainCount());
    }

    @Test
    void minDomainsKeepsLastKnownGoodAndEmptySetBlocksEverything() {
        DomainPrefilter guarded = prefilter("""
                xspct_db_prefilter: {enabled: true}
                xspct_db_prefilter_domains: {enabled: true, inline: [a.de, b.de], min_domains: 2}
                """);
        guarded.apply(Set.of("c.de"), "test");
        assertTrue(guarded.pass("x@a.de"), "rejected reload keeps the old set");
        assertFalse(guarded.pass("x@c.de"));
        DomainPrefilter empty = prefilter("""
                xspct_db_prefilter: {enabled: true}
                xspct_db_prefilter_domains: {enabled: true}
                """);
        assertEquals("ACTIVE", empty.state());
        assertFalse(empty.pass("x@a.de"), "min_domains 0 accepts an empty set, as the original");
    }

    @Test
    void fileIsReloadedWhenItsModificationTimeChanges(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("domains.txt");
        Files.writeString(f, "# comment\n ex.de \n\n");
        DomainPrefilter p = prefilter("""
                xspct_db_prefilter: {enabled: true}
                xspct_db_prefilter_domains: {enabled: true, inline: [inline.de], file: '%s'}
                """.formatted(f));
        assertTrue(p.pass("a@ex.de"));
        assertFalse(p.pass("a@new.de"));
        Files.writeString(f, "new.de\n");
        Files.setLastModifiedTime(f, FileTime.fromMillis(Files.getLastModifiedTime(f).toMillis() + 5000));
        p.checkFile();
        assertTrue(p.pass("a@new.de"));
        assertTrue(p.pass("a@inline.de"), "a file reload keeps inline domains");
        assertFalse(p.pass("a@ex.de"));
    }

    @Test
    void patternFilterRunsFirst() {
        DomainPrefilter p = prefilter("""
                xspct_db_prefilter: {enabled: true}
                xspct_db_prefilter_patterns: {enabled: true, patterns: ['^[a-z]+@']}
                """);
        assertTrue(p.pass("abc@x.de"));
        assertFalse(p.pass("123@x.de"));
        assertEquals(1, counters.get(Counters.Name.PREFILTER_PATTERN_HITS));
        assertEquals(1, counters.get(Counters.Name.PREFILTER_PATTERN_MISSES));
    }
}
