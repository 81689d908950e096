package xspct.api.testing;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Waiting for a condition with a deadline, for the tests of the core and of plugins that observe work done on other
 * threads: the one place where a test polls.
 *
 * @since API 2.4
 */
public final class Await {
    /** How long a condition may take unless a test says otherwise: generous, as builds share busy machines. */
    public static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private Await() {
    }

    /**
     * Waits until a condition holds, checking it every few milliseconds.
     *
     * @param what      what is awaited, for the failure message
     * @param condition the condition
     * @throws AssertionError       when it does not hold within {@link #DEADLINE}
     * @throws InterruptedException when interrupted
     */
    public static void until(String what, BooleanSupplier condition) throws InterruptedException {
        until(what, DEADLINE, condition);
    }

    /**
     * Waits until a condition holds, checking it every few milliseconds.
     *
     * @param what      what is awaited, for the failure message
     * @param deadline  how long it may take
     * @param condition the condition
     * @throws AssertionError       when it does not hold in time
     * @throws InterruptedException when interrupted
     */
    public static void until(String what, Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("not within " + deadline.toSeconds() + " s: " + what);
            }
            pause(end);
        }
    }

    /**
     * Waits until a condition holds or the deadline passes, for tests that assert on the outcome themselves.
     *
     * @param deadline  how long it may take
     * @param condition the condition
     * @return whether the condition held in time
     * @throws InterruptedException when interrupted
     */
    public static boolean eventually(Duration deadline, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                return condition.getAsBoolean();
            }
            pause(end);
        }
        return true;
    }

    /** The interval between two checks of the condition, never past the deadline. */
    private static void pause(long end) throws InterruptedException {
        long left = Math.min(end - System.nanoTime(), POLL_NANOS);
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
