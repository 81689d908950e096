package xspct.core.changefeed;

import java.nio.file.Path;
import java.time.Duration;

import xspct.api.ConfigNode;

/**
 * {@code xspct_db_change_feed}: whether backends follow changes of their data, and how. The original service
 * ignores the key, so one file can serve a mixed fleet.
 *
 * @param enabled      {@code enabled}, default false
 * @param pollInterval {@code poll_interval} in seconds, default 0.25
 * @param retention    {@code retention} in seconds, default 86400
 * @param leaseTtl     {@code lease_ttl} in seconds, default 10
 * @param stateDir     {@code state_dir}: where positions are kept without a shared store, default
 *                     {@code state} (relative to the working directory)
 */
public record ChangeFeedSettings(boolean enabled, Duration pollInterval, Duration retention, Duration leaseTtl,
                                 Path stateDir) {

    /** The configuration key. */
    public static final String KEY = "xspct_db_change_feed";

    /**
     * Reads the section; problems are recorded against their key paths.
     *
     * @param root the configuration file
     * @return the settings (disabled when the key is absent)
     */
    public static ChangeFeedSettings read(ConfigNode root) {
        ConfigNode s = root.get(KEY);
        if (s.exists() && !s.isNull() && !s.isMap()) {
            s.problem("must be a mapping with enabled, poll_interval, retention, lease_ttl");
            return disabled();
        }
        boolean enabled = s.get("enabled").asBoolean(false);
        Duration poll = seconds(s.get("poll_interval"), 0.25, 0.01, 60);
        Duration retention = seconds(s.get("retention"), 86400, 60, 365 * 86400.0);
        Duration ttl = seconds(s.get("lease_ttl"), 10, 1, 3600);
        Path dir = Path.of(s.get("state_dir").asString("state"));
        for (String k : s.map().keySet()) {
            if (!java.util.Set.of("enabled", "poll_interval", "retention", "lease_ttl", "state_dir").contains(k)) {
                s.get(k).problem("unknown key; expected enabled, poll_interval, retention, lease_ttl, state_dir");
            }
        }
        return new ChangeFeedSettings(enabled, poll, retention, ttl, dir);
    }

    /** {@return settings with the feed off} */
    public static ChangeFeedSettings disabled() {
        return new ChangeFeedSettings(false, Duration.ofMillis(250), Duration.ofDays(1), Duration.ofSeconds(10),
                Path.of("state"));
    }

    private static Duration seconds(ConfigNode n, double dflt, double min, double max) {
        double v = n.asDouble(dflt);
        if (!(v >= min && v <= max)) {
            n.problem("must be a number of seconds between " + plain(min) + " and " + plain(max) + ", got "
                    + n.raw());
            v = dflt;
        }
        return Duration.ofNanos(Math.round(v * 1e9));
    }

    private static String plain(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
