package xspct.snapshot.sqlite;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What the central says about one snapshot file, signed with its Ed25519 key. The signed text is a list of
 * {@code key=value} lines in a fixed order, followed by a {@code signature=} line over every byte before it, so that
 * an operator can read it and the edge verifies exactly what it parses.
 *
 * @param version           the version name ({@link #VERSION_PATTERN})
 * @param created           when the build started
 * @param schema            the file's schema version
 * @param users             number of user objects
 * @param addresses         number of addresses
 * @param wildcards         number of wildcard entries
 * @param size              file size in bytes
 * @param sha256            the file's SHA-256, hexadecimal
 * @param configFingerprint digest of the central's configuration
 * @param filter            how the content was chosen
 */
record Manifest(String version, Instant created, int schema, long users, long addresses, long wildcards, long size,
                String sha256, String configFingerprint, String filter) {

    /** Versions are UTC timestamps to the millisecond, so that a later version sorts after an earlier one. */
    static final Pattern VERSION_PATTERN = Pattern.compile("\\d{8}T\\d{9}Z");
    private static final String FIRST_LINE = "xspct-db snapshot manifest 1\n";
    private static final String SIGNATURE = "signature=";

    /** {@return the signed manifest: the text and its signature line} */
    byte[] sign(PrivateKey key) throws GeneralSecurityException {
        String text = text();
        return (text + SIGNATURE + Ed25519.sign(text.getBytes(StandardCharsets.UTF_8), key) + "\n")
                .getBytes(StandardCharsets.UTF_8);
    }

    private String text() {
        return FIRST_LINE
                + "version=" + version + "\n"
                + "created=" + created + "\n"
                + "schema=" + schema + "\n"
                + "users=" + users + "\n"
                + "addresses=" + addresses + "\n"
                + "wildcards=" + wildcards + "\n"
                + "size=" + size + "\n"
                + "sha256=" + sha256 + "\n"
                + "config_fingerprint=" + configFingerprint + "\n"
                + "filter=" + filter.replace('\n', ' ') + "\n";
    }

    /**
     * Verifies a signed manifest and parses it.
     *
     * @param signed the manifest as published
     * @param key    the central's public key
     * @return the manifest
     * @throws SnapshotRefused when it is unsigned, wrongly signed or malformed
     */
    static Manifest verify(byte[] signed, PublicKey key) throws SnapshotRefused {
        String all = new String(signed, StandardCharsets.UTF_8);
        int sig = all.lastIndexOf("\n" + SIGNATURE);
        if (!all.startsWith(FIRST_LINE) || sig < 0) {
            throw new SnapshotRefused("the manifest is not a signed xspct-db snapshot manifest");
        }
        String text = all.substring(0, sig + 1);
        String signature = all.substring(sig + 1 + SIGNATURE.length()).strip();
        if (!Ed25519.verify(text.getBytes(StandardCharsets.UTF_8), signature, key)) {
            throw new SnapshotRefused("the manifest's signature does not match the configured public_key");
        }
        return parse(text);
    }

    /** Parses the text of a manifest whose signature was checked (or that this instance wrote itself). */
    static Manifest parse(String text) throws SnapshotRefused {
        Map<String, String> f = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                f.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        try {
            String version = f.get("version");
            if (version == null || !VERSION_PATTERN.matcher(version).matches()) {
                throw new SnapshotRefused("the manifest names no valid version");
            }
            return new Manifest(version, Instant.parse(f.get("created")), Integer.parseInt(f.get("schema")),
                    Long.parseLong(f.get("users")), Long.parseLong(f.get("addresses")),
                    Long.parseLong(f.get("wildcards")), Long.parseLong(f.get("size")), f.get("sha256"),
                    f.getOrDefault("config_fingerprint", ""), f.getOrDefault("filter", ""));
        } catch (NullPointerException | NumberFormatException | DateTimeParseException e) {
            throw new SnapshotRefused("the manifest lacks a field or has an invalid one");
        }
    }

    /** Reads the manifest part of a signed manifest without checking the signature (own files). */
    static Manifest parseSigned(byte[] signed) throws SnapshotRefused {
        String all = new String(signed, StandardCharsets.UTF_8);
        int sig = all.lastIndexOf("\n" + SIGNATURE);
        return parse(sig < 0 ? all : all.substring(0, sig + 1));
    }
}
