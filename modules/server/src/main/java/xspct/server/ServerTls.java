package xspct.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;

/**
 * The server's TLS from {@code xspct_db_tls}: PEM certificate chain and key, optionally a PEM CA bundle for client
 * certificates (mTLS). {@link #watch} reloads the files into the running listeners when their modification time
 * changes, so a renewed certificate is served without a restart.
 */
final class ServerTls {
    private static final System.Logger LOG = System.getLogger(ServerTls.class.getName());

    private ServerTls() {
    }

    /** A TLS file that cannot be used; {@link #key()} names the configuration key. */
    static final class TlsFileException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String key;

        TlsFileException(String key, String message) {
            super(message, null, false, false);
            this.key = key;
        }

        String key() {
            return key;
        }
    }

    /**
     * Loads the files.
     *
     * @param s the settings
     * @return the TLS configuration of a listener
     * @throws TlsFileException when a file is missing, unreadable or holds no usable PEM data
     */
    static Tls load(ServerSettings.TlsSettings s) {
        readable("tls_cert", s.cert());
        readable("tls_key", s.key());
        Keys chain = pem("tls_cert", s.cert(), p -> p.certChain(Resource.create(s.cert())));
        if (chain.certChain().isEmpty()) {
            throw new TlsFileException("tls_cert", s.cert() + " holds no PEM certificate");
        }
        Keys key = pem("tls_key", s.key(), p -> p.key(Resource.create(s.key())));
        if (key.privateKey().isEmpty()) {
            throw new TlsFileException("tls_key", s.key() + " holds no PEM private key");
        }
        Keys both = Keys.builder().privateKey(key.privateKey().get()).certChain(chain.certChain()).build();
        var b = Tls.builder()
                .privateKey(both)
                .privateKeyCertChain(both)
                // the server does not match client certificates against the peer's host name
                .endpointIdentificationAlgorithm(Tls.ENDPOINT_IDENTIFICATION_NONE);
        if (s.clientCa().isPresent()) {
            Path ca = s.clientCa().get();
            readable("tls_client_ca", ca);
            Keys trust = pem("tls_client_ca", ca, p -> p.certificates(Resource.create(ca)));
            if (trust.certs().isEmpty()) {
                throw new TlsFileException("tls_client_ca", ca + " holds no PEM certificate");
            }
            b.trust(trust).clientAuth(s.clientAuth());
        } else {
            b.clientAuth(TlsClientAuth.NONE);
        }
        try {
            return b.build();
        } catch (RuntimeException e) {
            throw new TlsFileException("tls_key", "the key in " + s.key() + " does not fit the certificate in "
                    + s.cert() + ": " + message(e));
        }
    }

    /**
     * The configured files that are missing or unreadable, each naming its key; checked all at once so that a
     * missing certificate and a missing key are reported together.
     *
     * @param s the settings
     * @return the problems, empty when every file is there
     */
    static List<TlsFileException> unreadableFiles(ServerSettings.TlsSettings s) {
        List<TlsFileException> out = new ArrayList<>();
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("tls_cert", s.cert());
        files.put("tls_key", s.key());
        s.clientCa().ifPresent(ca -> files.put("tls_client_ca", ca));
        files.forEach((key, p) -> {
            try {
                readable(key, p);
            } catch (TlsFileException e) {
                out.add(e);
            }
        });
        return out;
    }

    private static void readable(String key, Path p) {
        if (!Files.isRegularFile(p)) {
            throw new TlsFileException(key, p + " does not exist or is not a file");
        }
        if (!Files.isReadable(p)) {
            throw new TlsFileException(key, p + " is not readable");
        }
    }

    private static Keys pem(String key, Path file, Consumer<io.helidon.common.pki.PemKeys.Builder> pem) {
        try {
            return Keys.builder().pem(pem).build();
        } catch (RuntimeException e) {
            throw new TlsFileException(key, "cannot read PEM data from " + file + ": " + message(e));
        }
    }

    private static String message(Throwable e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
            sb.append(": ").append(c.getMessage());
        }
        return sb.toString();
    }

    /**
     * Checks the files every {@code tls_reload_interval} seconds and hands a changed set to {@code reload}. A set
     * that cannot be loaded (e.g. the key written before the certificate) is logged and retried at the next check.
     *
     * @param s         the settings
     * @param scheduler the service's scheduler
     * @param reload    installs new TLS in every listener
     */
    static void watch(ServerSettings.TlsSettings s, ScheduledExecutorService scheduler, Consumer<Tls> reload) {
        if (!(s.reloadInterval() > 0)) {
            return;
        }
        List<Path> files = new ArrayList<>(List.of(s.cert(), s.key()));
        s.clientCa().ifPresent(files::add);
        List<FileTime> seen = new ArrayList<>(mtimes(files));
        long period = Math.max(1, (long) (s.reloadInterval() * 1000));
        scheduler.scheduleWithFixedDelay(() -> {
            List<FileTime> now = mtimes(files);
            if (now.equals(seen)) {
                return;
            }
            try {
                reload.accept(load(s));
                seen.clear();
                seen.addAll(now);
                LOG.log(System.Logger.Level.WARNING, "TLS certificate and key reloaded from " + s.cert() + " and "
                        + s.key());
            } catch (TlsFileException e) {
                LOG.log(System.Logger.Level.ERROR, "TLS reload failed, keeping the previous certificate: xspct_db_tls."
                        + e.key() + ": " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "TLS reload failed, keeping the previous certificate: " + e);
            }
        }, period, period, TimeUnit.MILLISECONDS);
    }

    private static List<FileTime> mtimes(List<Path> files) {
        List<FileTime> out = new ArrayList<>(files.size());
        for (Path p : files) {
            try {
                out.add(Files.getLastModifiedTime(p));
            } catch (IOException e) {
                out.add(FileTime.fromMillis(-1)); // missing for now (being replaced): retry later
            }
        }
        return out;
    }
}
