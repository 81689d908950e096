package xspct.core.prefilter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

import xspct.core.config.ConfigFile;
import xspct.core.config.Problems;
import xspct.core.config.YamlNode;

class PrefilterSettingsTest {

    private static List<String> warnings(String domains, boolean sharedSets) {
        YamlNode root = ConfigFile.parse("t", "xspct_db_prefilter: {enabled: true}\n"
                + "xspct_db_prefilter_domains: " + domains + "\n");
        PrefilterSettings.read(root).warnSources(root, sharedSets);
        return root.problems().warnings().stream().map(Problems.Problem::line).toList();
    }

    @Test
    void aChannelWithoutAKeyIsAWarningAtItsKeyPath() {
        assertEquals(List.of("WARNING xspct_db_prefilter_domains.redis_channel: 'changed' is ignored: it only "
                + "announces changes of redis_key, which is not set"),
                warnings("{enabled: true, redis_channel: changed}", true));
    }

    @Test
    void aKeyWithoutATierOfferingSetsIsAWarning() {
        assertEquals(List.of("WARNING xspct_db_prefilter_domains.redis_key: 'allowed' is not read: the Redis cache "
                + "is not enabled (xspct_db_redis_cache.enabled) or its plugin is not installed; the prefilter "
                + "domains come from inline and file only"),
                warnings("{enabled: true, redis_key: allowed, redis_channel: changed}", false));
    }

    @Test
    void aKeyWithNoReloadTriggerIsAWarning() {
        assertEquals(List.of("WARNING xspct_db_prefilter_domains.redis_reload_interval: 0.0 and no redis_channel: "
                + "the Redis SET 'allowed' is read at start and on file changes only"),
                warnings("{enabled: true, redis_key: allowed, redis_reload_interval: 0}", true));
    }

    @Test
    void aMaxAgeBelowTwiceTheReloadIntervalIsAWarning() {
        assertEquals(List.of("WARNING xspct_db_prefilter_domains.max_age: 100.0 s is less than twice the reload "
                + "interval (60.0 s): the set may expire between reloads, and the prefilter then lets every "
                + "address pass"),
                warnings("{enabled: true, redis_key: allowed, redis_reload_interval: 60, max_age: 100}", true));
    }

    @Test
    void theRedisIntervalCountsOnlyWhenTheSetIsRead() {
        assertEquals(List.of(), warnings("{enabled: true, file_reload_interval: 30, redis_reload_interval: 10, "
                + "max_age: 60}", true));
    }

    @Test
    void nothingIsWarnedWhenTheDomainFilterIsOff() {
        assertEquals(List.of(), warnings("{enabled: false, redis_key: allowed, redis_channel: x, max_age: 1}",
                false));
    }
}
