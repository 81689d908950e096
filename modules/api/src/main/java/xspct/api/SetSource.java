package xspct.api;

import java.util.Set;

/**
 * Named sets of strings and change notices kept in the store behind a shared cache tier, such as a Redis SET and a
 * Redis pub/sub channel. The core reads the prefilter's domain set ({@code xspct_db_prefilter_domains.redis_key})
 * through it and reloads that set when a message arrives on {@code redis_channel}.
 *
 * <p>Implementations are thread-safe and reuse the tier's connections, breaker and reconnection logic.
 *
 * @since API 1.2 (through {@link SetStore} since API 2.0)
 */
public interface SetSource {

    /**
     * Reads the members of a set. A key that does not exist is an empty set.
     *
     * @param key the key, verbatim
     * @return the members as stored (no case folding)
     * @throws RuntimeException with a message fit for a log line (no secrets) when the set cannot be read: the
     *                          store is unreachable, the tier bypasses it (breaker open), or the key is not a set
     */
    Set<String> members(String key);

    /**
     * Calls {@code onChange} for every message published on a channel (the payload is not interpreted), and also
     * each time the subscription is established, first or again after it was lost (the store restarted, the
     * network failed), since messages may have been missed meanwhile. A lost subscription is re-established in
     * the background until {@link AutoCloseable#close()} or the tier's own close.
     *
     * @param channel  the channel, verbatim
     * @param onChange called from a tier thread; it must return quickly (hand longer work to another thread)
     * @return closing it ends the subscription; it does not throw
     */
    AutoCloseable subscribe(String channel, Runnable onChange);
}
