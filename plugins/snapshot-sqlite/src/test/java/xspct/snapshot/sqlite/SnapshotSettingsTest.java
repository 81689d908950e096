package xspct.snapshot.sqlite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xspct.core.config.ConfigFile;
import xspct.core.config.YamlNode;

class SnapshotSettingsTest {
    @TempDir
    Path dir;

    @Test
    void publishDefaultsAndKeys() throws Exception {
        KeyPair k = Fixtures.keyPair();
        Path key = Fixtures.writePem(dir.resolve("k.pem"), "PRIVATE KEY", k.getPrivate().getEncoded());
        YamlNode root = ConfigFile.parse("t", "xspct_db_snapshot_publish: {enabled: true, directory: " + dir
                + ", signing_key: " + key + ", exclude_attributes: [userPassword]}");
        PublishSettings s = PublishSettings.read(root.get("xspct_db_snapshot_publish"));
        assertTrue(ConfigFile.problemsOf(root).isEmpty(), ConfigFile.problemsOf(root).list().toString());
        assertEquals(Duration.ofSeconds(300), s.interval());
        assertEquals(5, s.keep());
        assertEquals(Set.of("userPassword"), s.excludeAttributes());
        assertEquals(k.getPrivate(), s.signingKey());
    }

    @Test
    void publishProblemsNameTheirKeys() {
        YamlNode root = ConfigFile.parse("t", "xspct_db_snapshot_publish: {enabled: true, interval: -1, keep: 0, "
                + "signing_key: " + dir.resolve("missing.pem") + "}");
        PublishSettings.read(root.get("xspct_db_snapshot_publish"));
        List<String> p = ConfigFile.problemsOf(root).list();
        assertEquals(4, p.size(), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("xspct_db_snapshot_publish.interval")), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("xspct_db_snapshot_publish.keep")), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("xspct_db_snapshot_publish.directory")), p.toString());
        assertTrue(p.stream().anyMatch(m -> m.startsWith("xspct_db_snapshot_publish.signing_key")
                && m.contains("openssl genpkey")), p.toString());
    }

    @Test
    void subscribeDefaultsAndKeys() throws Exception {
        KeyPair k = Fixtures.keyPair();
        Path key = Fixtures.writePem(dir.resolve("k.pub"), "PUBLIC KEY", k.getPublic().getEncoded());
        YamlNode root = ConfigFile.parse("t", "xspct_db_api_header: X-Key\nxspct_db_snapshot_subscribe: {enabled: "
                + "true, url: 'http://central:11350/', api_key: s, directory: " + dir + ", public_key: " + key + "}");
        SubscribeSettings s = SubscribeSettings.read(root.get("xspct_db_snapshot_subscribe"), root);
        assertTrue(ConfigFile.problemsOf(root).isEmpty(), ConfigFile.problemsOf(root).list().toString());
        assertEquals("http://central:11350", s.url().toString());
        assertEquals("X-Key", s.apiHeader());
        assertEquals(Duration.ofSeconds(60), s.interval());
        assertEquals(Duration.ofSeconds(86400), s.maxAge());
        assertEquals(3, s.keep());
        assertFalse(s.primary());
        assertEquals(k.getPublic(), s.publicKey());
    }

    @Test
    void subscribeProblemsNameTheirKeys() {
        YamlNode root = ConfigFile.parse("t", "xspct_db_snapshot_subscribe: {enabled: true, url: 'ftp://x', "
                + "mode: secondary, max_age: 0, tls: {cert: /nonexistent.pem}}");
        SubscribeSettings.read(root.get("xspct_db_snapshot_subscribe"), root);
        List<String> p = ConfigFile.problemsOf(root).list();
        for (String key : List.of("url", "mode", "max_age", "directory", "public_key", "tls")) {
            assertTrue(p.stream().anyMatch(m -> m.startsWith("xspct_db_snapshot_subscribe." + key)),
                    key + " in " + p);
        }
    }

    @Test
    void disabledSectionsAskForNothing() {
        YamlNode root = ConfigFile.parse("t", "xspct_db_snapshot_subscribe: {enabled: false}");
        assertFalse(SubscribeSettings.read(root.get("xspct_db_snapshot_subscribe"), root).enabled());
        assertFalse(PublishSettings.read(root.get("xspct_db_snapshot_publish")).enabled());
        assertTrue(ConfigFile.problemsOf(root).isEmpty());
    }
}
