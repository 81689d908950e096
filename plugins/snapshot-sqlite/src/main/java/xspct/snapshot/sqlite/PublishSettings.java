package xspct.snapshot.sqlite;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;

import xspct.api.ConfigNode;

/**
 * {@code xspct_db_snapshot_publish}.
 *
 * @param enabled           {@code enabled} (default false)
 * @param interval          {@code interval}: time between builds (default 300 s)
 * @param directory         {@code directory}: where versions are kept
 * @param keep              {@code keep}: versions kept (default 5)
 * @param signingKey        {@code signing_key}: the Ed25519 private key (PKCS#8 PEM)
 * @param excludeAttributes {@code exclude_attributes}: attributes that never leave this instance
 */
record PublishSettings(boolean enabled, Duration interval, Path directory, int keep, PrivateKey signingKey,
                       Set<String> excludeAttributes) {

    static PublishSettings read(ConfigNode section) {
        if (section.exists() && !section.isNull() && !section.isMap()) {
            section.problem("must be a mapping");
            return new PublishSettings(false, Duration.ofMinutes(5), null, 5, null, Set.of());
        }
        boolean enabled = section.get("enabled").asBoolean(false);
        Duration interval = Seconds.positive(section.get("interval"), 300);
        Path dir = Seconds.path(section.get("directory"), enabled);
        int keep = Seconds.atLeastOne(section.get("keep"), 5);
        Set<String> exclude = Set.copyOf(new LinkedHashSet<>(section.get("exclude_attributes")
                .asStringList(java.util.List.of())));
        PrivateKey key = null;
        ConfigNode keyNode = section.get("signing_key");
        Path keyPath = Seconds.path(keyNode, enabled);
        if (enabled && keyPath != null) {
            try {
                key = Ed25519.privateKey(keyPath);
            } catch (IOException | GeneralSecurityException e) {
                keyNode.problem("cannot read an Ed25519 private key (PKCS#8 PEM, as written by 'openssl genpkey "
                        + "-algorithm ed25519') from " + keyPath + ": " + e.getMessage());
            }
        }
        return new PublishSettings(enabled, interval, dir, keep, key, exclude);
    }
}
