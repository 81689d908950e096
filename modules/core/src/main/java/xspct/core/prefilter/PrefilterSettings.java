package xspct.core.prefilter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import xspct.api.ConfigNode;
import xspct.core.regex.PythonRegex;

/**
 * {@code xspct_db_prefilter}, {@code xspct_db_prefilter_patterns} and {@code xspct_db_prefilter_domains} .
 *
 * @param enabled             master switch {@code xspct_db_prefilter.enabled}
 * @param patternsEnabled     {@code xspct_db_prefilter_patterns.enabled}
 * @param patterns            compiled {@code xspct_db_prefilter_patterns.patterns}
 * @param domainsEnabled      {@code xspct_db_prefilter_domains.enabled}
 * @param inline              {@code inline}: trimmed, lower-cased, empties dropped
 * @param file                {@code file}, or null
 * @param fileReloadInterval  {@code file_reload_interval} seconds; 0 or less disables the watcher
 * @param redisKey            {@code redis_key}, empty when unused
 * @param redisChannel        {@code redis_channel}, empty when unused
 * @param redisReloadInterval {@code redis_reload_interval} seconds
 * @param minDomains          {@code min_domains}
 * @param maxAge              {@code max_age} seconds; 0 = never expires
 */
public record PrefilterSettings(boolean enabled, boolean patternsEnabled, List<PythonRegex> patterns,
                                boolean domainsEnabled, List<String> inline, Path file, double fileReloadInterval,
                                String redisKey, String redisChannel, double redisReloadInterval, int minDomains,
                                double maxAge) {

    /**
     * Reads the three sections; an invalid pattern is skipped with a warning, as the original does.
     *
     * @param root the configuration root
     * @return the settings
     */
    public static PrefilterSettings read(ConfigNode root) {
        boolean enabled = root.get("xspct_db_prefilter").get("enabled").asBoolean(false);
        ConfigNode pn = root.get("xspct_db_prefilter_patterns");
        List<PythonRegex> patterns = new ArrayList<>();
        for (ConfigNode p : pn.get("patterns").list()) {
            String text = p.asString("");
            try {
                patterns.add(PythonRegex.compile(text));
            } catch (IllegalArgumentException e) {
                // as the original: an invalid pattern is left out, the others still filter
                p.warning(e.getMessage() + "; pattern skipped");
            }
        }
        ConfigNode d = root.get("xspct_db_prefilter_domains");
        List<String> inline = new ArrayList<>();
        for (String s : d.get("inline").asStringList(List.of())) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) {
                inline.add(t);
            }
        }
        String file = d.get("file").asString("");
        int min = d.get("min_domains").asInt(0);
        if (min < 0) {
            d.get("min_domains").problem("must not be negative");
        }
        return new PrefilterSettings(enabled, pn.get("enabled").asBoolean(false), List.copyOf(patterns),
                d.get("enabled").asBoolean(false), List.copyOf(inline), file.isEmpty() ? null : Path.of(file),
                d.get("file_reload_interval").asDouble(60), d.get("redis_key").asString(""),
                d.get("redis_channel").asString(""), d.get("redis_reload_interval").asDouble(300), min,
                d.get("max_age").asDouble(0));
    }

    /**
     * Records, as warnings at their key paths, the domain-source settings that start but do not do what they say:
     * {@code redis_key} without a tier offering sets, {@code redis_channel} without {@code redis_key}, a Redis SET
     * with no reload trigger, and a {@code max_age} below twice the reload interval. Decided from the configuration
     * alone, so that {@code --check} lists them and {@code --strict} refuses them; the start logs each once.
     *
     * @param root       the configuration root
     * @param sharedSets whether a configured cache tier offers sets (the Redis SET is then read through it)
     */
    public void warnSources(ConfigNode root, boolean sharedSets) {
        if (!enabled || !domainsEnabled) {
            return;
        }
        ConfigNode d = root.get("xspct_db_prefilter_domains");
        boolean redisRead = !redisKey.isEmpty() && sharedSets;
        if (redisKey.isEmpty() && !redisChannel.isEmpty()) {
            d.get("redis_channel").warning("'" + redisChannel + "' is ignored: it only announces changes of "
                    + "redis_key, which is not set");
        }
        if (!redisKey.isEmpty() && !sharedSets) {
            d.get("redis_key").warning("'" + redisKey + "' is not read: the Redis cache is not enabled "
                    + "(xspct_db_redis_cache.enabled) or its plugin is not installed; the prefilter domains come "
                    + "from inline and file only");
        }
        if (redisRead && redisChannel.isEmpty() && redisReloadInterval <= 0) {
            d.get("redis_reload_interval").warning(redisReloadInterval + " and no redis_channel: the Redis SET '"
                    + redisKey + "' is read at start and on file changes only");
        }
        double smallest = smallestInterval(redisRead);
        if (maxAge > 0 && smallest > 0 && maxAge < 2 * smallest) {
            d.get("max_age").warning(maxAge + " s is less than twice the reload interval (" + smallest
                    + " s): the set may expire between reloads, and the prefilter then lets every address pass");
        }
    }

    /** {@return the shortest positive reload interval of the file and (when read) the Redis SET, 0 when none} */
    private double smallestInterval(boolean redisRead) {
        double s = 0;
        for (double i : new double[] {fileReloadInterval, redisRead ? redisReloadInterval : 0}) {
            if (i > 0 && (s == 0 || i < s)) {
                s = i;
            }
        }
        return s;
    }
}
