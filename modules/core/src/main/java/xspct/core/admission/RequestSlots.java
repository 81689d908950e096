package xspct.core.admission;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import xspct.core.log.LogContext;
import xspct.core.stats.Counters;
import xspct.core.stats.Counters.Name;

/**
 * The slot regime: {@code xspct_db_foreground_slots} requests run at once, each waiting at most
 * {@code T} for a slot (then 503) and at most {@code T} for its task (then 504). A timed-out task continues
 * detached when one of {@code xspct_db_background_slots} is free, so that it still fills the caches; otherwise it is
 * cancelled by interruption.
 *
 * <p>With {@code T <= 0} (the default) the original runs tasks without any limit; here they still take a
 * foreground slot, waiting as long as needed, so that the number of concurrent lookups stays bounded
 * (docs/compatibility.md: "Concurrency is bounded and identical requests share one lookup").
 * No 503 or 504 is produced in that mode.
 *
 * <p>Tasks run on virtual threads. {@link #activeTasks()} counts the task bodies still running (foreground or
 * detached); {@link #close()} interrupts them.
 */
public final class RequestSlots implements AutoCloseable {
    private final Semaphore foreground;
    private final Semaphore background;
    private final Counters counters;
    private final AtomicInteger active = new AtomicInteger();
    private final Set<Thread> running = ConcurrentHashMap.newKeySet();

    /**
     * A request's task.
     *
     * @param <T> its result
     */
    @FunctionalInterface
    public interface Task<T> {
        /**
         * Runs the task.
         *
         * @return the result
         * @throws Exception propagated to the caller (a generic 500)
         */
        T call() throws Exception;
    }

    /**
     * How a task ended for the request.
     *
     * @param <T> the task's result
     */
    public sealed interface Outcome<T> {
        /**
         * Finished in time.
         *
         * @param value the result
         * @param <T>   its type
         */
        record Done<T>(T value) implements Outcome<T> {
        }

        /**
         * No foreground slot within the timeout: 503.
         *
         * @param <T> unused
         */
        record Overloaded<T>() implements Outcome<T> {
        }

        /**
         * The task exceeded the timeout: 504.
         *
         * @param <T> unused
         */
        record TimedOut<T>() implements Outcome<T> {
        }
    }

    /**
     * Creates the regime.
     *
     * @param foregroundSlots {@code xspct_db_foreground_slots}
     * @param backgroundSlots {@code xspct_db_background_slots}
     * @param counters        where overloads, timeouts and background completions are counted
     */
    public RequestSlots(int foregroundSlots, int backgroundSlots, Counters counters) {
        this.foreground = new Semaphore(foregroundSlots, true);
        this.background = new Semaphore(backgroundSlots);
        this.counters = counters;
    }

    /**
     * Runs a task under the regime.
     *
     * @param timeoutSeconds {@code T}; {@code <= 0} runs the task on the calling thread once a slot is free
     * @param task           the task
     * @param <T>            its result
     * @return the outcome
     * @throws Exception            what the task threw, when it finished in time
     * @throws InterruptedException when the caller is interrupted (the task is then cancelled)
     */
    public <T> Outcome<T> run(double timeoutSeconds, Task<T> task) throws Exception {
        if (!(timeoutSeconds > 0)) {
            foreground.acquire();
            active.incrementAndGet();
            try {
                return new Outcome.Done<>(task.call());
            } finally {
                active.decrementAndGet();
                foreground.release();
            }
        }
        long timeout = (long) Math.min(timeoutSeconds * 1e9, Long.MAX_VALUE / 4);
        if (!foreground.tryAcquire(timeout, TimeUnit.NANOSECONDS)) {
            counters.inc(Name.FOREGROUND_OVERLOADED);
            return new Outcome.Overloaded<>();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread worker;
        try {
            active.incrementAndGet();
            worker = Thread.ofVirtual().name("xspct-task").unstarted(LogContext.propagate(() -> {
                try {
                    result.complete(task.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                } finally {
                    running.remove(Thread.currentThread());
                    active.decrementAndGet();
                }
            }));
            running.add(worker);
            worker.start();
        } catch (RuntimeException | Error e) {
            active.decrementAndGet();
            foreground.release();
            throw e;
        }
        try {
            return new Outcome.Done<>(result.get(timeout, TimeUnit.NANOSECONDS));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw (Error) cause;
        } catch (TimeoutException e) {
            counters.inc(Name.REQUESTS_TIMEOUT);
            if (background.tryAcquire()) {
                result.whenComplete((v, t) -> {
                    counters.inc(t == null ? Name.BACKGROUND_COMPLETED : Name.BACKGROUND_ERRORS);
                    background.release();
                });
            } else {
                worker.interrupt();
                counters.inc(Name.BACKGROUND_REJECTED);
            }
            return new Outcome.TimedOut<>();
        } catch (InterruptedException e) {
            worker.interrupt();
            throw e;
        } finally {
            foreground.release();
        }
    }

    /** {@return task bodies still running, foreground or detached (a gauge)} */
    public int activeTasks() {
        return active.get();
    }

    /** {@return free foreground slots} */
    public int freeForegroundSlots() {
        return foreground.availablePermits();
    }

    /** {@return free background slots} */
    public int freeBackgroundSlots() {
        return background.availablePermits();
    }

    /** Cancels every running task (shutdown). */
    @Override
    public void close() {
        for (Thread t : running) {
            t.interrupt();
        }
    }
}
