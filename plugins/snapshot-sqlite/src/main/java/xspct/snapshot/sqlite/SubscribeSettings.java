package xspct.snapshot.sqlite;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.time.Duration;

import xspct.api.ConfigNode;

/**
 * {@code xspct_db_snapshot_subscribe}.
 *
 * @param enabled   {@code enabled} (default false)
 * @param url       {@code url}: the central instance, e.g. {@code https://central:11350}
 * @param apiKey    {@code api_key}: the central's API key
 * @param apiHeader the header the key is sent in ({@code xspct_db_api_header} of this configuration)
 * @param interval  {@code interval}: time between checks (default 60 s)
 * @param maxAge    {@code max_age}: a snapshot older than this is refused and stops serving (default 86400 s)
 * @param directory {@code directory}: where versions are kept
 * @param keep      {@code keep}: versions kept (default 3)
 * @param publicKey {@code public_key}: the central's Ed25519 public key (X.509 PEM)
 * @param primary   {@code mode}: {@code primary} (true) or {@code fallback} (false, the default)
 * @param tls       {@code tls}: CA and client certificate for the download
 */
record SubscribeSettings(boolean enabled, URI url, String apiKey, String apiHeader, Duration interval,
                         Duration maxAge, Path directory, int keep, PublicKey publicKey, boolean primary,
                         ClientTls tls) {

    static SubscribeSettings read(ConfigNode section, ConfigNode root) {
        if (section.exists() && !section.isNull() && !section.isMap()) {
            section.problem("must be a mapping");
            return new SubscribeSettings(false, null, "", "", Duration.ofMinutes(1), Duration.ofDays(1), null, 3,
                    null, false, ClientTls.NONE);
        }
        boolean enabled = section.get("enabled").asBoolean(false);
        URI url = null;
        ConfigNode urlNode = section.get("url");
        String u = urlNode.asString("");
        if (!u.isBlank()) {
            try {
                url = new URI(u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
                if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
                    urlNode.problem("must be an http:// or https:// URL with a host, got '" + u + "'");
                }
            } catch (URISyntaxException e) {
                urlNode.problem("is not a URL: " + e.getMessage());
            }
        } else if (enabled) {
            urlNode.problem("is required");
        }
        String apiKey = section.get("api_key").asString("");
        String apiHeader = root.get("xspct_db_api_header").asString("X-Api-Key");
        Duration interval = Seconds.positive(section.get("interval"), 60);
        Duration maxAge = Seconds.positive(section.get("max_age"), 86400);
        Path dir = Seconds.path(section.get("directory"), enabled);
        int keep = Seconds.atLeastOne(section.get("keep"), 3);
        ConfigNode modeNode = section.get("mode");
        String mode = modeNode.asString("fallback");
        if (!mode.equals("fallback") && !mode.equals("primary")) {
            modeNode.problem("must be 'fallback' or 'primary', got '" + mode + "'");
        }
        PublicKey key = null;
        ConfigNode keyNode = section.get("public_key");
        Path keyPath = Seconds.path(keyNode, enabled);
        if (enabled && keyPath != null) {
            try {
                key = Ed25519.publicKey(keyPath);
            } catch (IOException | GeneralSecurityException e) {
                keyNode.problem("cannot read an Ed25519 public key (X.509 PEM, as written by 'openssl pkey -pubout') "
                        + "from " + keyPath + ": " + e.getMessage());
            }
        }
        ClientTls tls = ClientTls.read(section.get("tls"), enabled);
        return new SubscribeSettings(enabled, url, apiKey, apiHeader, interval, maxAge, dir, keep, key,
                mode.equals("primary"), tls);
    }
}
