package xspct.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import xspct.api.Backend;
import xspct.api.PooledBackend;
import xspct.api.ResourceGauges;
import xspct.core.admission.RequestSlots;
import xspct.core.changefeed.ChangeFeeds;
import xspct.core.lookup.CacheTiers;
import xspct.core.lookup.ConfiguredQuery;
import xspct.core.prefilter.DomainPrefilter;
import xspct.core.stats.ChangeFeedStatistics;
import xspct.core.stats.Counters;
import xspct.core.stats.QueryTimings;
import xspct.core.stats.Statistics;

/** The service's {@link Statistics}, read from the live counters, tiers, backends, slots and prefilter. */
final class ServiceStatistics implements Statistics {
    private final Counters counters;
    private final QueryTimings timings;
    private final List<CacheTierStatistics> tiers;
    private final List<BackendStatistics> backends;
    private final SlotStatistics slots;
    private final DomainPrefilter prefilter;
    /** Set once the feeds started, after the service is assembled. */
    private volatile ChangeFeedStatistics changeFeeds = ChangeFeeds.none();

    ServiceStatistics(Counters counters, QueryTimings timings, CacheTiers caches, List<ConfiguredQuery> queries,
                      RequestSlots slots, int foregroundSlots, int backgroundSlots, DomainPrefilter prefilter) {
        this.counters = counters;
        this.timings = timings;
        this.prefilter = prefilter;
        List<CacheTierStatistics> t = new ArrayList<>();
        for (int i = 0; i < caches.tiers().size(); i++) {
            t.add(new Tier(caches, i));
        }
        this.tiers = List.copyOf(t);
        List<BackendStatistics> b = new ArrayList<>();
        for (ConfiguredQuery q : queries) {
            if (q.backend() != null) {
                b.add(new QueryBackend(q.name(), q.backend()));
            }
        }
        this.backends = List.copyOf(b);
        this.slots = new Slots(slots, foregroundSlots, backgroundSlots);
    }

    @Override
    public long count(Counters.Name counter) {
        return counters.get(counter);
    }

    @Override
    public QueryTimings queryTimings() {
        return timings;
    }

    @Override
    public List<CacheTierStatistics> cacheTiers() {
        return tiers;
    }

    @Override
    public List<BackendStatistics> backends() {
        return backends;
    }

    @Override
    public SlotStatistics slots() {
        return slots;
    }

    @Override
    public int prefilterDomainCount() {
        return prefilter.domainCount();
    }

    @Override
    public ChangeFeedStatistics changeFeeds() {
        return changeFeeds;
    }

    void changeFeeds(ChangeFeedStatistics feeds) {
        this.changeFeeds = feeds;
    }

    @Override
    public String prefilterState() {
        return prefilter.state();
    }

    private record Tier(CacheTiers caches, int index) implements CacheTierStatistics {
        @Override
        public String name() {
            return caches.tiers().get(index).name();
        }

        @Override
        public int level() {
            return caches.tiers().get(index).level();
        }

        @Override
        public long lookups(LookupOutcome outcome) {
            return caches.lookups(index, outcome);
        }

        @Override
        public Map<String, Number> gauges() {
            return caches.tiers().get(index).tier() instanceof ResourceGauges g ? g.gauges() : Map.of();
        }
    }

    private record QueryBackend(String query, Backend backend) implements BackendStatistics {
        @Override
        public Map<String, Number> gauges() {
            return backend instanceof ResourceGauges g ? g.gauges() : Map.of();
        }

        @Override
        public Optional<PooledBackend> pool() {
            return backend instanceof PooledBackend p ? Optional.of(p) : Optional.empty();
        }
    }

    private record Slots(RequestSlots slots, int foregroundLimit, int backgroundLimit) implements SlotStatistics {
        @Override
        public int foregroundInUse() {
            return foregroundLimit - slots.freeForegroundSlots();
        }

        @Override
        public int backgroundInUse() {
            return backgroundLimit - slots.freeBackgroundSlots();
        }

        @Override
        public int activeTasks() {
            return slots.activeTasks();
        }
    }
}
