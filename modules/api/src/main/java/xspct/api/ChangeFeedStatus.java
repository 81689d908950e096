package xspct.api;

import java.time.Instant;

/**
 * A snapshot of a {@link ChangeFeed}'s state.
 *
 * @param state           {@code starting}, {@code leader} (holds the lease and follows changes for the fleet),
 *                        {@code follower} (another instance holds the lease), {@code tailing} (follows changes
 *                        for this instance alone), {@code refreshing} (catching up), {@code polling} (a coarser
 *                        fallback) or {@code disconnected}
 * @param source          what is followed, e.g. {@code mysql policy@db.example.org/mail} (never a password)
 * @param position        the persisted position (log cursor, sync cookie digest), or {@code null}
 * @param positionSavedAt when the position was last persisted, or {@code null}
 * @param lastEventAt     when the last change event was applied, or {@code null}
 * @param leaseHolder     the current lease holder ({@code host/pid}), or {@code null} without a lease
 * @param lastError       the last connection or statement error while not healthy, or {@code null}
 * @since API 2.2
 */
public record ChangeFeedStatus(String state, String source, String position, Instant positionSavedAt,
                               Instant lastEventAt, String leaseHolder, String lastError) {

    /** {@return true when this instance holds the lease} */
    public boolean leader() {
        return "leader".equals(state);
    }
}
