package xspct.distribution;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits for a condition with a deadline, polling it every 50 ms. */
final class Await {
    private Await() {
    }

    /**
     * Returns once {@code condition} holds.
     *
     * @param what      what is awaited, for the failure message
     * @param deadline  how long to wait at most
     * @param condition the condition
     * @param context   more text for the failure message (e.g. a log), asked only on failure
     * @throws AssertionError when the deadline passes first
     */
    static void until(String what, Duration deadline, BooleanSupplier condition, Supplier<String> context) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError(what + ": not within " + deadline + "\n" + context.get());
            }
            try {
                Thread.sleep(50); // polling interval of the condition, not a wait for luck
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }
}
