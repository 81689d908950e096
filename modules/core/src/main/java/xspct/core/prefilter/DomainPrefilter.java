package xspct.core.prefilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import xspct.api.SetSource;
import xspct.core.stats.Counters;
import xspct.core.stats.Counters.Name;
import xspct.core.lookup.Prefilter;
import xspct.core.regex.PythonRegex;

/**
 * The prefilter: a pattern filter and a domain filter whose set comes from inline domains, a file (reloaded
 * when its modification time changes), the set named by {@code redis_key} in the shared cache tier (reloaded on a
 * message and every {@code redis_reload_interval}) and further sources. Every reload rebuilds the set from all sources
 * (docs/compatibility.md: "Prefilter reloads use every source"). States:
 * BYPASS (no valid set, or expired: everything passes) and ACTIVE (the domain must be in the set).
 *
 * <p>Life cycle: construct, add sources ({@link #useSetSource}, {@link #addSource}), {@link #start()} (the initial
 * load), {@link #startWatching} (reloads on the service's scheduler, which runs them one at a time), {@link #close()}.
 */
public final class DomainPrefilter implements Prefilter, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DomainPrefilter.class.getName());

    private final PrefilterSettings settings;
    private final Counters counters;
    private final LongSupplier nanoClock;
    private final List<Source> extraSources = new CopyOnWriteArrayList<>();
    private final AtomicReference<DomainSet> active = new AtomicReference<>();
    private final AtomicBoolean expiryLogged = new AtomicBoolean();
    private final AtomicBoolean setReloadQueued = new AtomicBoolean();
    private volatile FileTime fileMtime;
    private volatile int lastAcceptedCount;
    private volatile ScheduledExecutorService watcher;
    private volatile SetSource sharedSets;
    private volatile AutoCloseable setSubscription;

    /** A further domain source and its name for log lines. */
    private record Source(String name, Supplier<Set<String>> domains) {
    }

    /**
     * Creates the prefilter; nothing is loaded before {@link #start()}.
     *
     * @param settings  the settings
     * @param counters  counters to update
     * @param nanoClock monotonic clock ({@code System::nanoTime} outside tests)
     */
    public DomainPrefilter(PrefilterSettings settings, Counters counters, LongSupplier nanoClock) {
        this.settings = settings;
        this.counters = counters;
        this.nanoClock = nanoClock;
    }

    /**
     * Loads the initial set from every source added so far (inline, file and the shared set). Call once, after the
     * sources are added and before {@link #startWatching}.
     */
    public void start() {
        if (!domainFilterOn()) {
            return;
        }
        fileMtime = mtime(settings.file());
        reload("startup");
    }

    private boolean domainFilterOn() {
        return settings.enabled() && settings.domainsEnabled();
    }

    /**
     * Adds a further domain source; it is read on every reload. Its domains are trimmed and lower-cased, empty ones
     * dropped. When it throws, it adds no domains to that reload (errors are an empty contribution) and a
     * WARNING is logged.
     *
     * @param name    the source, for log lines, e.g. {@code "Redis SET allowed_domains"}
     * @param domains returns the source's domains
     */
    public void addSource(String name, Supplier<Set<String>> domains) {
        extraSources.add(new Source(name, domains));
    }

    /**
     * Adds the set {@code xspct_db_prefilter_domains.redis_key} (a Redis SET in the original) as a source, read
     * through the set source of the shared cache tier; {@link #startWatching} then also subscribes
     * {@code redis_channel} and schedules the {@code redis_reload_interval} reload. Without a set source (no
     * enabled tier offers sets) the key cannot be read and the set comes from the other sources (the check phase
     * warned about it, with the other source settings that do not work as written:
     * {@link PrefilterSettings#warnSources}). Call before {@link #start()}.
     *
     * @param source the shared tier's set source, or empty when there is none
     */
    public void useSetSource(Optional<SetSource> source) {
        String key = settings.redisKey();
        if (!domainFilterOn()) {
            return;
        }
        if (key.isEmpty() || source.isEmpty()) {
            return; // the check phase warned (PrefilterSettings.warnSources)
        }
        SetSource set = source.get();
        sharedSets = set;
        addSource("Redis SET " + key, () -> set.members(key));
    }

    /**
     * Starts the reloads on the given scheduler: the file watcher, the {@code redis_channel} subscription and the
     * {@code redis_reload_interval} reload.
     *
     * @param scheduler the service's scheduler (one thread: reloads never overlap)
     */
    public void startWatching(ScheduledExecutorService scheduler) {
        if (!domainFilterOn()) {
            return;
        }
        this.watcher = scheduler;
        if (settings.file() != null && settings.fileReloadInterval() > 0) {
            long period = Math.max(1, (long) (settings.fileReloadInterval() * 1000));
            scheduler.scheduleWithFixedDelay(this::checkFile, period, period, TimeUnit.MILLISECONDS);
        }
        SetSource set = sharedSets;
        if (set == null) {
            return;
        }
        if (settings.redisReloadInterval() > 0) {
            long period = Math.max(1, (long) (settings.redisReloadInterval() * 1000));
            scheduler.scheduleWithFixedDelay(() -> reload("redis_reload_interval"), period, period,
                    TimeUnit.MILLISECONDS);
        }
        if (!settings.redisChannel().isEmpty()) {
            setSubscription = set.subscribe(settings.redisChannel(), this::setChanged);
        }
    }

    /**
     * A message on {@code redis_channel} (or a fresh subscription, after which messages may have been missed):
     * queue one reload on the scheduler. Called on the tier's thread, so it must not reload itself; messages
     * arriving while a reload is queued are covered by it.
     */
    private void setChanged() {
        ScheduledExecutorService scheduler = watcher;
        if (scheduler == null || !setReloadQueued.compareAndSet(false, true)) {
            return;
        }
        try {
            scheduler.execute(() -> {
                setReloadQueued.set(false);
                reload("Redis channel " + settings.redisChannel());
            });
        } catch (RejectedExecutionException e) {
            setReloadQueued.set(false); // shutting down
        }
    }

    /** One watcher tick: reload from every source when the file's modification time changed. */
    void checkFile() {
        Path file = settings.file();
        FileTime now = mtime(file);
        if (now == null) {
            LOG.log(System.Logger.Level.WARNING, "prefilter domain file " + file + " is missing");
            return;
        }
        if (!now.equals(fileMtime)) {
            fileMtime = now;
            reload("file change");
        }
    }

    /**
     * Rebuilds the set from every source and applies it (never from one source alone, docs/compatibility.md: "Prefilter
     * reloads use every source").
     *
     * @param why the reason, for the log line
     */
    public void reload(String why) {
        Set<String> domains = new LinkedHashSet<>(settings.inline());
        domains.addAll(readFile(settings.file()));
        for (Source s : extraSources) {
            try {
                for (String d : s.domains().get()) {
                    String t = d == null ? "" : d.trim().toLowerCase(Locale.ROOT);
                    if (!t.isEmpty()) {
                        domains.add(t);
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "prefilter domain source " + s.name() + " failed ("
                        + e.getMessage() + "): it adds no domains to this reload (" + why + "); "
                        + (settings.minDomains() > 0
                                ? "the new set is rejected if it has fewer than min_domains " + settings.minDomains()
                                : "with min_domains 0 the set holds only the other sources' domains"));
            }
        }
        apply(Set.copyOf(domains), why);
    }

    /** Applies a new set: accepted iff it has at least {@code min_domains} entries . */
    void apply(Set<String> domains, String why) {
        if (domains.size() < settings.minDomains()) {
            LOG.log(System.Logger.Level.ERROR, "prefilter domain set from " + why + " rejected: " + domains.size()
                    + " domains, xspct_db_prefilter_domains.min_domains is " + settings.minDomains() + "; "
                    + (active.get() == null ? "state stays BYPASS" : "keeping the previous set (ACTIVE)"));
            return;
        }
        active.set(new DomainSet(domains, nanoClock.getAsLong()));
        expiryLogged.set(false);
        lastAcceptedCount = domains.size();
        if (domains.isEmpty()) {
            // an empty accepted set blocks every address: accepted for compatibility, but loudly
            LOG.log(System.Logger.Level.ERROR, "prefilter domain set from " + why + " is EMPTY and was accepted "
                    + "(min_domains 0): every address is now rejected; set min_domains to 1 or more");
        } else {
            LOG.log(System.Logger.Level.INFO, "prefilter domains ACTIVE: " + domains.size() + " domains (" + why
                    + ")");
        }
    }

    /** {@return the size of the last accepted set ({@code xspct_db_prefilter_domain_count})} */
    public int domainCount() {
        return lastAcceptedCount;
    }

    /** {@return {@code ACTIVE} or {@code BYPASS}} */
    public String state() {
        return current() == null ? "BYPASS" : "ACTIVE";
    }

    private DomainSet current() {
        DomainSet s = active.get();
        if (s != null && settings.maxAge() > 0
                && nanoClock.getAsLong() - s.loadedAtNanos() > (long) (settings.maxAge() * 1e9)) {
            if (active.compareAndSet(s, null) && expiryLogged.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.ERROR, "prefilter domain set EXPIRED (older than max_age "
                        + settings.maxAge() + " s): state BYPASS, every address passes until a reload succeeds");
            }
            return active.get();
        }
        return s;
    }

    @Override
    public boolean pass(String address) {
        if (!settings.enabled()) {
            return true;
        }
        if (settings.patternsEnabled() && !settings.patterns().isEmpty()) {
            boolean any = false;
            for (PythonRegex p : settings.patterns()) {
                if (p.search(address)) {
                    any = true;
                    break;
                }
            }
            counters.inc(any ? Name.PREFILTER_PATTERN_HITS : Name.PREFILTER_PATTERN_MISSES);
            if (!any) {
                return false;
            }
        }
        if (settings.domainsEnabled()) {
            DomainSet s = current();
            if (s != null) {
                int at = address.indexOf('@');
                String domain = (at < 0 ? address : address.substring(at + 1)).toLowerCase(Locale.ROOT);
                boolean in = s.domains().contains(domain);
                counters.inc(in ? Name.PREFILTER_DOMAIN_HITS : Name.PREFILTER_DOMAIN_MISSES);
                return in;
            }
        }
        return true;
    }

    private static List<String> readFile(Path file) {
        List<String> out = new ArrayList<>();
        if (file == null) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String t = line.trim();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    out.add(t.toLowerCase(Locale.ROOT));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "cannot read prefilter domain file " + file + ": " + e);
        }
        return out;
    }

    private static FileTime mtime(Path file) {
        if (file == null) {
            return null;
        }
        try {
            return Files.getLastModifiedTime(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public void close() {
        // the scheduler belongs to the service and is shut down there
        watcher = null;
        AutoCloseable sub = setSubscription;
        setSubscription = null;
        if (sub != null) {
            try {
                sub.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the redis_channel subscription: " + e);
            }
        }
    }
}
