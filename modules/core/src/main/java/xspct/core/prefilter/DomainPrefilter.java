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
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import xspct.core.pipeline.Counters;
import xspct.core.pipeline.Counters.Name;
import xspct.core.pipeline.Prefilter;
import xspct.core.regex.PythonRegex;

/**
 * The prefilter of SPEC 8: a pattern filter and a domain filter whose set comes from inline domains, a file (reloaded
 * when its modification time changes) and further sources (the Redis tier adds one). States: BYPASS (no valid set, or
 * expired: everything passes) and ACTIVE (the domain must be in the set).
 */
public final class DomainPrefilter implements Prefilter, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DomainPrefilter.class.getName());

    private final PrefilterSettings settings;
    private final Counters counters;
    private final LongSupplier nanoClock;
    private final List<Supplier<Set<String>>> extraSources = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicReference<DomainSet> active = new AtomicReference<>();
    private final AtomicBoolean expiryLogged = new AtomicBoolean();
    private volatile FileTime fileMtime;
    private volatile int lastAcceptedCount;
    private ScheduledExecutorService watcher;

    /**
     * Creates the prefilter and loads the initial domain set.
     *
     * @param settings  the settings
     * @param counters  counters to update
     * @param nanoClock monotonic clock ({@code System::nanoTime} outside tests)
     */
    public DomainPrefilter(PrefilterSettings settings, Counters counters, LongSupplier nanoClock) {
        this.settings = settings;
        this.counters = counters;
        this.nanoClock = nanoClock;
        if (domainFilterOn()) {
            double smallest = smallestInterval();
            if (settings.maxAge() > 0 && smallest > 0 && settings.maxAge() < 2 * smallest) {
                LOG.log(System.Logger.Level.WARNING, "xspct_db_prefilter_domains.max_age (" + settings.maxAge()
                        + " s) is less than twice the reload interval (" + smallest + " s): the set may expire "
                        + "between reloads");
            }
            fileMtime = mtime(settings.file());
            reload("startup");
        }
    }

    private boolean domainFilterOn() {
        return settings.enabled() && settings.domainsEnabled();
    }

    private double smallestInterval() {
        double s = 0;
        for (double i : new double[] {settings.fileReloadInterval(),
                settings.redisKey().isEmpty() ? 0 : settings.redisReloadInterval()}) {
            if (i > 0 && (s == 0 || i < s)) {
                s = i;
            }
        }
        return s;
    }

    /**
     * Adds a further domain source (e.g. a Redis SET); it is read on every reload.
     *
     * @param source returns the source's domains; an empty set on errors
     */
    public void addSource(Supplier<Set<String>> source) {
        extraSources.add(source);
    }

    /**
     * Starts the file watcher on the given scheduler.
     *
     * @param scheduler the service's scheduler
     */
    public void startWatching(ScheduledExecutorService scheduler) {
        if (domainFilterOn() && settings.file() != null && settings.fileReloadInterval() > 0) {
            long period = Math.max(1, (long) (settings.fileReloadInterval() * 1000));
            this.watcher = scheduler;
            scheduler.scheduleWithFixedDelay(this::checkFile, period, period, TimeUnit.MILLISECONDS);
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
     * Rebuilds the set from every source and applies it (W5: never from one source alone).
     *
     * @param why the reason, for the log line
     */
    public void reload(String why) {
        Set<String> domains = new LinkedHashSet<>(settings.inline());
        domains.addAll(readFile(settings.file()));
        for (Supplier<Set<String>> s : extraSources) {
            try {
                for (String d : s.get()) {
                    String t = d.trim().toLowerCase(Locale.ROOT);
                    if (!t.isEmpty()) {
                        domains.add(t);
                    }
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "prefilter domain source failed: " + e.getMessage());
            }
        }
        apply(Set.copyOf(domains), why);
    }

    /** Applies a new set: accepted iff it has at least {@code min_domains} entries (SPEC 8.3). */
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
            // W6: an empty accepted set blocks every address
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
    }
}
