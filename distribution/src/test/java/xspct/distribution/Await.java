package xspct.distribution;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waiting for a condition with a deadline, polling at a short interval (never spinning). */
public final class Await {
    /** How long a condition may take: generous, as builds share busy machines. */
    public static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final long POLL_MILLIS = 20;

    private Await() {
    }

    /**
     * Waits until a condition holds.
     *
     * @param what      what is awaited
     * @param context   more for the failure message (e.g. the server's log), read only on failure
     * @param condition the condition
     * @throws AssertionError when it does not hold within {@link #DEADLINE}
     */
    public static void until(String what, Supplier<String> context, BooleanSupplier condition) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: " + what + "\n" + context.get());
            }
            pause();
        }
    }

    /**
     * Waits until a value equals the expected one.
     *
     * @param expected the expected value
     * @param actual   reads the current value
     * @param <T>      the value type
     * @throws AssertionError naming the last value read, when it does not equal within {@link #DEADLINE}
     */
    public static <T> void untilEquals(T expected, Supplier<T> actual) {
        long end = System.nanoTime() + DEADLINE.toNanos();
        T last = actual.get();
        while (!expected.equals(last)) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + DEADLINE.toSeconds() + " s: expected <" + expected
                        + "> but was <" + last + ">");
            }
            pause();
            last = actual.get();
        }
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
    public static void until(String what, Duration deadline, BooleanSupplier condition, Supplier<String> context) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError(what + ": not within " + deadline + "\n" + context.get());
            }
            pause();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(POLL_MILLIS); // the polling interval, bounded by the deadline
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting", e);
        }
    }
}
