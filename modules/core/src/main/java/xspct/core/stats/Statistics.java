package xspct.core.stats;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import xspct.api.PooledBackend;

/**
 * A read-only view of everything the service counts and measures, for the metrics endpoint and the stats log lines.
 */
public interface Statistics {

    /**
     * A counter's value.
     *
     * @param counter the counter
     * @return its value since start
     */
    long count(Counters.Name counter);

    /** {@return per-query call counts and times; listeners may be added, nothing else is to be changed} */
    QueryTimings queryTimings();

    /** {@return the enabled object cache tiers, in ascending level} */
    List<CacheTierStatistics> cacheTiers();

    /** {@return the configured queries that have a backend, in configuration order} */
    List<BackendStatistics> backends();

    /** {@return the request slots: configured and in use} */
    SlotStatistics slots();

    /** {@return the number of domains in the prefilter's accepted set} */
    int prefilterDomainCount();

    /** {@return the prefilter's state, e.g. {@code ACTIVE} or {@code BYPASS}} */
    String prefilterState();

    /** {@return the change feeds: whether enabled, and what each running feed applied} */
    ChangeFeedStatistics changeFeeds();

    /** What one tier answered to lookups. */
    enum LookupOutcome {
        /** A positive entry. */
        HIT,
        /** A negative entry (the address is known not to exist). */
        NEGATIVE,
        /** Nothing cached. */
        MISS
    }

    /** One object cache tier. */
    interface CacheTierStatistics {
        /** {@return the providing plugin's name} */
        String name();

        /** {@return the tier level: 1 in-process, above 1 shared} */
        int level();

        /**
         * How often the tier answered a lookup with an outcome, over every endpoint. A tier is asked only when the
         * tiers before it missed.
         *
         * @param outcome the outcome
         * @return the count since start
         */
        long lookups(LookupOutcome outcome);

        /** {@return the tier's resource gauges (e.g. its connection pool); empty when it reports none} */
        Map<String, Number> gauges();
    }

    /** The backend of one configured query. */
    interface BackendStatistics {
        /** {@return the query name} */
        String query();

        /** {@return the backend's resource gauges; empty when it reports none} */
        Map<String, Number> gauges();

        /** {@return the backend's connection pool, when it reports one for the stats lines} */
        Optional<PooledBackend> pool();
    }

    /** The request slots. */
    interface SlotStatistics {
        /** {@return {@code xspct_db_foreground_slots}} */
        int foregroundLimit();

        /** {@return {@code xspct_db_background_slots}} */
        int backgroundLimit();

        /** {@return foreground slots taken} */
        int foregroundInUse();

        /** {@return background slots taken} */
        int backgroundInUse();

        /** {@return lookup tasks still running, foreground or detached} */
        int activeTasks();
    }
}
