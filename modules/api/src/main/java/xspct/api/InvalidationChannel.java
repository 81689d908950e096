package xspct.api;

import java.util.function.Consumer;

/**
 * An optional capability of a {@link CacheTier} shared by several instances (such as Redis): its
 * {@link CacheTier#invalidate} and {@link CacheTier#invalidateAll} calls are announced to the other instances,
 * which learn of them here.
 *
 * @since API 2.0 (before, a default method of {@code CacheTier})
 */
public interface InvalidationChannel {
    /**
     * Registers the core's listener for invalidations made by other instances sharing the tier. The core calls this
     * once, right after creating the tier, and reacts by evicting the entries from its lower (in-process) tiers only.
     * The listener may be called from any thread; it does not block.
     *
     * @param listener receives each remote invalidation
     */
    void onRemoteInvalidation(Consumer<Invalidation> listener);
}
