package xspct.snapshot.sqlite;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.time.Duration;

/**
 * Downloads from a central instance: {@code GET /v1/snapshots/latest} and {@code GET /v1/snapshots/{version}},
 * with the API key and, when configured, mutual TLS.
 */
final class HttpSnapshotFetch implements SnapshotFetch {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient client;
    private final URI base;
    private final String apiHeader;
    private final String apiKey;

    HttpSnapshotFetch(SubscribeSettings s) throws IOException, GeneralSecurityException {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER);
        s.tls().context().ifPresent(b::sslContext);
        this.client = b.build();
        this.base = s.url();
        this.apiHeader = s.apiHeader();
        this.apiKey = s.apiKey();
    }

    private HttpRequest request(String path) {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base + "/v1/snapshots/" + path)).timeout(TIMEOUT)
                .GET();
        if (!apiKey.isEmpty()) {
            r.header(apiHeader, apiKey);
        }
        return r.build();
    }

    @Override
    public byte[] latestManifest() throws IOException, InterruptedException {
        HttpResponse<byte[]> r = client.send(request("latest"), HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IOException("GET " + base + "/v1/snapshots/latest answered " + r.statusCode());
        }
        return r.body();
    }

    @Override
    public void download(String version, Path target, long maxSize) throws IOException, InterruptedException {
        HttpResponse<InputStream> r = client.send(request(version), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() != 200) {
                throw new IOException("GET " + base + "/v1/snapshots/" + version + " answered " + r.statusCode());
            }
            try (OutputStream out = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                // one byte more than announced is enough to tell that the file is too long
                in.transferTo(new BoundedOutput(out, maxSize + 1));
            }
        }
    }

    /** Stops writing after a limit (the rest of the body is drained and dropped). */
    private static final class BoundedOutput extends OutputStream {
        private final OutputStream out;
        private long left;

        BoundedOutput(OutputStream out, long limit) {
            this.out = out;
            this.left = limit;
        }

        @Override
        public void write(int b) throws IOException {
            if (left > 0) {
                out.write(b);
                left--;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int n = (int) Math.min(len, left);
            if (n > 0) {
                out.write(b, off, n);
                left -= n;
            }
        }
    }
}
