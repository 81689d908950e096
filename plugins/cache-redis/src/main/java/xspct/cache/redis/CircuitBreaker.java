package xspct.cache.redis;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The L2 circuit breaker (docs/compatibility.md: "The shared tier's circuit breaker closes again"): more than {@code
 * maxErrors} consecutive failed operations open it; while
 * open the tier is bypassed; only a successful health probe closes it again. Lock-free: it sits on every request.
 */
final class CircuitBreaker {
    private final int maxErrors;
    private final AtomicInteger consecutiveErrors = new AtomicInteger();
    private final AtomicBoolean open = new AtomicBoolean();

    CircuitBreaker(int maxErrors) {
        this.maxErrors = maxErrors;
    }

    /** {@return true while Redis may be used} */
    boolean allows() {
        return !open.get();
    }

    /** A successful operation: the run of consecutive errors ends (the breaker stays as it is). */
    void success() {
        if (consecutiveErrors.get() != 0) {
            consecutiveErrors.set(0);
        }
    }

    /**
     * A failed operation.
     *
     * @return true when this failure opened the breaker (exactly one caller sees true per opening)
     */
    boolean failure() {
        return consecutiveErrors.incrementAndGet() > maxErrors && open.compareAndSet(false, true);
    }

    /**
     * A successful health probe.
     *
     * @return true when this call closed an open breaker
     */
    boolean probeSucceeded() {
        consecutiveErrors.set(0);
        return open.compareAndSet(true, false);
    }

    /** {@return the current run of consecutive errors} */
    int consecutiveErrors() {
        return consecutiveErrors.get();
    }
}
