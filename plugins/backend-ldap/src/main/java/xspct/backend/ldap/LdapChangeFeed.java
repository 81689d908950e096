package xspct.backend.ldap;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.unboundid.asn1.ASN1OctetString;
import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.IntermediateResponse;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.RootDSE;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchResultListener;
import com.unboundid.ldap.sdk.SearchResultReference;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.ServerSet;
import com.unboundid.ldap.sdk.controls.ContentSyncDoneControl;
import com.unboundid.ldap.sdk.controls.ContentSyncInfoIntermediateResponse;
import com.unboundid.ldap.sdk.controls.ContentSyncInfoType;
import com.unboundid.ldap.sdk.controls.ContentSyncRequestControl;
import com.unboundid.ldap.sdk.controls.ContentSyncRequestMode;
import com.unboundid.ldap.sdk.controls.ContentSyncState;
import com.unboundid.ldap.sdk.controls.ContentSyncStateControl;

import xspct.api.ChangeFeed;
import xspct.api.ChangeFeedContext;
import xspct.api.ChangeFeedStatus;

/**
 * The change feed of one {@code ldap} query: an RFC 4533 content synchronisation (refreshAndPersist) over
 * {@code base_dn} and {@code change_feed.filter} on a connection of its own, evicting the key attribute values of
 * every entry reported added, modified or deleted.
 *
 * <p>For deletes (which carry no attributes) the feed uses the values it learned of the entry earlier; the sync
 * cookie is saved after each change through the context's state store and resumed after reconnects and restarts.
 * When the feed cannot know what changed (no or an unusable cookie, a delete of an entry it never saw, deletions
 * implied by a present phase after a restart) it evicts everything once and says why. A directory without the sync
 * provider is polled every {@code poll_interval} for entries with {@code modifyTimestamp >=} the last one seen,
 * which misses deletes.
 */
final class LdapChangeFeed implements ChangeFeed {
    private static final System.Logger LOG = System.getLogger(LdapChangeFeed.class.getName());
    private static final String SYNC_CONTROL = ContentSyncRequestControl.SYNC_REQUEST_OID;
    /** e-syncRefreshRequired (RFC 4533): the cookie is too old for the server. */
    private static final int SYNC_REFRESH_REQUIRED = 4096;
    private static final long MIN_BACKOFF_NANOS = 500_000_000L;
    private static final long MAX_BACKOFF_NANOS = 30_000_000_000L;
    private static final java.time.format.DateTimeFormatter SECONDS = java.time.format.DateTimeFormatter
            .ofPattern("yyyyMMddHHmmss'Z'").withZone(java.time.ZoneOffset.UTC);

    private final LdapSettings settings;
    private final WatchedEntries watched;
    private final ChangeFeedContext context;
    private final ServerSet servers;
    private final BindRequest bind;
    private final PostConnectProcessor startTls;
    private final String cookieName;
    private final Thread thread;
    /** entryUUID to the key values last seen for it, for deletes (which carry no attributes). */
    private final Map<UUID, Set<String>> known = new HashMap<>();
    private volatile boolean closed;
    /**
     * Open until the first refresh phase is over (or the first attempt failed): the start waits for it, so that
     * changes made while this instance was down are evicted before it answers from the shared cache.
     */
    private final CountDownLatch firstRefresh = new CountDownLatch(1);
    private volatile LDAPConnection connection;

    private volatile String state = "starting";
    private volatile String position;
    private volatile Instant positionSavedAt;
    private volatile Instant lastEventAt;
    private volatile String lastError;

    LdapChangeFeed(LdapSettings settings, WatchedEntries watched, ChangeFeedContext context, ServerSet servers,
                   BindRequest bind, PostConnectProcessor startTls) {
        this.settings = settings;
        this.watched = watched;
        this.context = context;
        this.servers = servers;
        this.bind = bind;
        this.startTls = startTls;
        this.cookieName = "ldap-sync-cookie." + settings.queryName();
        this.thread = Thread.ofVirtual().name("xspct-ldap-feed-" + settings.queryName()).unstarted(this::run);
    }

    /** How long the start waits for the first refresh phase. */
    static final long FIRST_REFRESH_WAIT_SECONDS = 10;

    LdapChangeFeed start() {
        thread.start();
        try {
            if (!firstRefresh.await(FIRST_REFRESH_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": the change feed's first "
                        + "synchronisation with " + settings.describe() + " takes longer than "
                        + FIRST_REFRESH_WAIT_SECONDS + " s; answers may come from cached entries until it ends");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    private void run() {
        try {
            follow();
        } finally {
            firstRefresh.countDown();
        }
    }

    private void follow() {
        long backoff = MIN_BACKOFF_NANOS;
        while (!closed) {
            try (LDAPConnection c = connect()) {
                connection = c;
                if (lastError != null) {
                    LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": change feed reconnected "
                            + "to " + settings.describe());
                }
                lastError = null;
                backoff = MIN_BACKOFF_NANOS;
                RootDSE root = c.getRootDSE();
                if (root != null && root.supportsControl(SYNC_CONTROL)) {
                    synchronise(c);
                } else {
                    pollTimestamps(c);
                }
            } catch (LDAPException e) {
                if (closed) {
                    return;
                }
                if (lastError == null) {
                    LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": change feed lost "
                            + settings.describe() + " (" + e.getExceptionMessage() + "); reconnecting with back-off, "
                            + "lookups go on");
                }
                lastError = e.getExceptionMessage();
                state = "disconnected";
                firstRefresh.countDown(); // the start does not wait for an unreachable directory
                LockSupport.parkNanos(backoff);
                backoff = Math.min(MAX_BACKOFF_NANOS, backoff * 2);
            } finally {
                connection = null;
            }
        }
    }

    private LDAPConnection connect() throws LDAPException {
        LDAPConnection c = servers.getConnection();
        try {
            if (startTls != null) {
                startTls.processPreAuthenticatedConnection(c);
            }
            c.bind(bind.duplicate());
            return c;
        } catch (LDAPException e) {
            c.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- RFC 4533

    private void synchronise(LDAPConnection c) throws LDAPException {
        Optional<byte[]> saved = context.stateStore().load(cookieName).filter(b -> b.length > 0);
        Sync sync = new Sync(saved.isPresent());
        SearchRequest req = new SearchRequest(sync, settings.baseDn(), SearchScope.SUB, watched.filter(),
                watched.keyAttributes().toArray(String[]::new));
        req.setResponseTimeoutMillis(0); // the persist phase lasts as long as the connection
        req.setIntermediateResponseListener(sync::intermediate);
        req.addControl(new ContentSyncRequestControl(true, ContentSyncRequestMode.REFRESH_AND_PERSIST,
                saved.map(ASN1OctetString::new).orElse(null), false));
        state = "refreshing"; // "tailing" once the refresh phase is over
        SearchResult result;
        try {
            result = c.search(req);
        } catch (LDAPException e) {
            if (e.getResultCode().intValue() != SYNC_REFRESH_REQUIRED) {
                throw e;
            }
            result = null;
        }
        if (closed) {
            return;
        }
        if (result == null || result.getResultCode().intValue() == SYNC_REFRESH_REQUIRED) {
            context.stateStore().save(cookieName, new byte[0]);
            flush("the directory refused the saved sync cookie (e-syncRefreshRequired)");
            firstRefresh.countDown();
            return;
        }
        ContentSyncDoneControl done = ContentSyncDoneControl.get(result);
        if (done != null && done.getCookie() != null) {
            saveCookie(done.getCookie());
        }
        throw new LDAPException(result.getResultCode(), "the sync search ended: " + result.getDiagnosticMessage());
    }

    /** Entries and sync-info messages of one synchronisation; called on the connection's reader thread. */
    private final class Sync implements SearchResultListener {
        private static final long serialVersionUID = 1L;
        private final boolean resumed;
        private boolean refreshing = true;
        /** entryUUIDs reported present or changed in a present phase: the others were deleted. */
        private final Set<UUID> present = new HashSet<>();

        Sync(boolean resumed) {
            this.resumed = resumed;
        }

        @Override
        public void searchEntryReturned(SearchResultEntry e) {
            ContentSyncStateControl sc;
            try {
                sc = ContentSyncStateControl.get(e);
            } catch (LDAPException ex) {
                sc = null;
            }
            if (sc == null) {
                return;
            }
            UUID uuid = sc.getEntryUUID();
            present.add(uuid);
            Set<String> evict = new LinkedHashSet<>();
            switch (sc.getState()) {
                case ADD, MODIFY -> {
                    Set<String> now = keyValues(e);
                    Set<String> before = known.put(uuid, now);
                    evict.addAll(now);
                    if (before != null) {
                        evict.addAll(before); // a changed address or a rename
                    }
                }
                case DELETE -> {
                    Set<String> before = known.remove(uuid);
                    if (before == null) {
                        flush("an entry this instance never saw was deleted (" + e.getDN() + ")");
                    } else {
                        evict.addAll(before);
                    }
                }
                default -> {
                    return; // PRESENT: unchanged
                }
            }
            // the initial refresh without a cookie reports every entry: it is followed by one flush instead
            if (resumed || !refreshing) {
                evict(evict, 1);
            }
            if (sc.getCookie() != null) {
                saveCookie(sc.getCookie());
            }
        }

        @Override
        public void searchReferenceReturned(SearchResultReference r) {
        }

        void intermediate(IntermediateResponse r) {
            ContentSyncInfoIntermediateResponse info;
            try {
                info = ContentSyncInfoIntermediateResponse.decode(r);
            } catch (LDAPException e) {
                return;
            }
            ContentSyncInfoType type = info.getType();
            if (type == ContentSyncInfoType.SYNC_ID_SET) {
                if (info.refreshDeletes()) {
                    for (UUID u : info.getEntryUUIDs()) {
                        Set<String> before = known.remove(u);
                        if (before == null) {
                            flush("an entry this instance never saw was deleted");
                        } else {
                            evict(before, 1);
                        }
                    }
                } else {
                    present.addAll(info.getEntryUUIDs());
                }
            } else if (type == ContentSyncInfoType.REFRESH_PRESENT && info.refreshDone()) {
                endRefresh(true);
            } else if (type == ContentSyncInfoType.REFRESH_DELETE && info.refreshDone()) {
                endRefresh(false);
            }
            if (info.getCookie() != null) {
                saveCookie(info.getCookie());
            }
        }

        /** The refresh is over: entries absent from a present phase were deleted; a first sync flushes once. */
        private void endRefresh(boolean presentPhase) {
            refreshing = false;
            if (!resumed) {
                // expected on a first start; the cache may still hold answers from before it
                flush("no saved sync cookie: what changed before this start is unknown", System.Logger.Level.INFO);
            } else if (presentPhase) {
                if (known.isEmpty()) {
                    flush("the directory resumed with a present phase, which implies deletions this instance "
                            + "cannot name after a restart");
                } else {
                    Set<String> gone = new LinkedHashSet<>();
                    known.entrySet().removeIf(en -> {
                        if (!present.contains(en.getKey())) {
                            gone.addAll(en.getValue());
                            return true;
                        }
                        return false;
                    });
                    if (!gone.isEmpty()) {
                        evict(gone, gone.size());
                    }
                }
            }
            present.clear();
            state = "tailing";
            firstRefresh.countDown();
        }
    }

    // ---------------------------------------------------------------- without the sync provider

    private void pollTimestamps(LDAPConnection c) throws LDAPException {
        state = "polling";
        firstRefresh.countDown();
        LOG.log(System.Logger.Level.INFO, "query " + settings.queryName() + ": " + settings.describe() + " offers no "
                + "content synchronisation (syncprov); polling modifyTimestamp every "
                + context.pollInterval().toMillis() + " ms instead (deletes are not seen)");
        // whole seconds, as directories stamp entries: a fraction would skip changes within the same second
        String last = SECONDS.format(Instant.now().minusSeconds(1));
        List<String> attrs = new ArrayList<>(watched.keyAttributes());
        attrs.add("modifyTimestamp");
        while (!closed) {
            Filter f = Filter.createANDFilter(watched.filter(), Filter.createGreaterOrEqualFilter("modifyTimestamp",
                    last));
            SearchResult r = c.search(settings.baseDn(), SearchScope.SUB, f, attrs.toArray(String[]::new));
            Set<String> evict = new LinkedHashSet<>();
            String newest = last;
            for (SearchResultEntry e : r.getSearchEntries()) {
                evict.addAll(keyValues(e));
                String ts = e.getAttributeValue("modifyTimestamp");
                if (ts != null && ts.compareTo(newest) > 0) {
                    newest = ts;
                }
            }
            // entries of the newest second are read (and evicted) again until the clock passes it: a second
            // change within that second is not missed
            if (!evict.isEmpty()) {
                evict(evict, r.getEntryCount());
            }
            last = newest;
            position = last;
            LockSupport.parkNanos(context.pollInterval().toNanos());
        }
    }

    // ---------------------------------------------------------------- shared

    private Set<String> keyValues(SearchResultEntry e) {
        Set<String> values = new LinkedHashSet<>();
        for (String a : watched.keyAttributes()) {
            String[] vs = e.getAttributeValues(a);
            if (vs != null) {
                for (String v : vs) {
                    values.add(v);
                    values.add(v.toLowerCase(Locale.ROOT));
                }
            }
        }
        return values;
    }

    private void evict(Set<String> addresses, int events) {
        long changed = System.nanoTime();
        untilConfirmed(() -> context.sink().evict(addresses, events, changed));
        lastEventAt = Instant.now();
    }

    private void flush(String why) {
        flush(why, System.Logger.Level.WARNING);
    }

    private void flush(String why, System.Logger.Level level) {
        LOG.log(level, "query " + settings.queryName() + ": " + why
                + "; evicting every cached entry once");
        untilConfirmed(() -> context.sink().flush(why));
    }

    /**
     * Repeats an eviction the shared cache did not confirm, holding the synchronisation (the directory keeps the
     * following changes) so that the cookie never moves past a change that was not evicted everywhere.
     */
    private void untilConfirmed(java.util.function.BooleanSupplier eviction) {
        long backoff = MIN_BACKOFF_NANOS;
        while (!eviction.getAsBoolean() && !closed) {
            if (lastError == null) {
                LOG.log(System.Logger.Level.WARNING, "query " + settings.queryName() + ": the shared cache could "
                        + "not confirm an eviction; retrying until it does");
            }
            lastError = "the shared cache could not confirm an eviction";
            LockSupport.parkNanos(backoff);
            // short retries: the shared cache's own health check decides when it is usable again
            backoff = Math.min(2_000_000_000L, backoff * 2);
        }
        if ("the shared cache could not confirm an eviction".equals(lastError)) {
            lastError = null;
        }
    }

    private void saveCookie(ASN1OctetString cookie) {
        if (context.stateStore().save(cookieName, cookie.getValue())) {
            positionSavedAt = Instant.now();
        }
        position = cookie.stringValue();
    }

    @Override
    public ChangeFeedStatus status() {
        return new ChangeFeedStatus(lastError != null ? "disconnected" : state, "ldap " + settings.describe() + " "
                + settings.baseDn(), position, positionSavedAt, lastEventAt, null, lastError);
    }

    @Override
    public void close() {
        closed = true;
        LDAPConnection c = connection;
        if (c != null) {
            c.close();
        }
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
