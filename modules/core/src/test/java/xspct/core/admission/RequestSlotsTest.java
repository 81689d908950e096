package xspct.core.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import xspct.core.stats.Counters;
import xspct.api.testing.Await;
import xspct.core.stats.Counters.Name;

class RequestSlotsTest {
    private final Counters counters = new Counters();

    @Test
    void finishedInTimeReturnsTheValue() throws Exception {
        RequestSlots slots = new RequestSlots(2, 1, counters);
        assertEquals(new RequestSlots.Outcome.Done<>("x"), slots.run(5, () -> "x"));
        assertEquals(new RequestSlots.Outcome.Done<>("y"), slots.run(0, () -> "y"));
        assertEquals(2, slots.freeForegroundSlots());
        assertThrows(IllegalStateException.class, () -> slots.run(5, () -> {
            throw new IllegalStateException("boom");
        }));
        assertEquals(2, slots.freeForegroundSlots());
    }

    @Test
    void busyForegroundSlotsGive503AfterTheTimeout() throws Exception {
        RequestSlots slots = new RequestSlots(1, 0, counters);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<RequestSlots.Outcome<String>> holder = ex.submit(() -> slots.run(0, () -> {
                started.countDown();
                release.await();
                return "held";
            }));
            started.await();
            assertInstanceOf(RequestSlots.Outcome.Overloaded.class, slots.run(0.05, () -> "never"));
            assertEquals(1, counters.get(Name.FOREGROUND_OVERLOADED));
            release.countDown();
            assertEquals(new RequestSlots.Outcome.Done<>("held"), holder.get());
        }
    }

    @Test
    void timedOutTaskContinuesInTheBackground() throws Exception {
        RequestSlots slots = new RequestSlots(1, 1, counters);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        var outcome = slots.run(0.05, () -> {
            release.await();
            finished.incrementAndGet();
            return "late";
        });
        assertInstanceOf(RequestSlots.Outcome.TimedOut.class, outcome);
        assertEquals(1, counters.get(Name.REQUESTS_TIMEOUT));
        assertEquals(1, slots.freeForegroundSlots(), "the foreground slot is released at once");
        assertEquals(0, slots.freeBackgroundSlots());
        assertEquals(1, slots.activeTasks());
        release.countDown();
        Await.until("background completion", () -> counters.get(Name.BACKGROUND_COMPLETED) == 1);
        assertEquals(1, finished.get());
        Await.until("slot release", () -> slots.freeBackgroundSlots() == 1 && slots.activeTasks() == 0);
    }

    @Test
    void timedOutTaskWithoutBackgroundSlotIsCancelled() throws Exception {
        RequestSlots slots = new RequestSlots(1, 0, counters);
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        var outcome = slots.run(0.05, () -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return "never";
        });
        assertInstanceOf(RequestSlots.Outcome.TimedOut.class, outcome);
        assertEquals(1, counters.get(Name.BACKGROUND_REJECTED));
        Await.until("cancelled task ends", () -> slots.activeTasks() == 0);
        assertEquals(1, interrupted.get());
    }

    @Test
    void backgroundErrorsAreCounted() throws Exception {
        RequestSlots slots = new RequestSlots(1, 1, counters);
        CountDownLatch release = new CountDownLatch(1);
        slots.run(0.02, () -> {
            release.await();
            throw new IllegalStateException("late failure");
        });
        release.countDown();
        Await.until("background error", () -> counters.get(Name.BACKGROUND_ERRORS) == 1);
        assertEquals(0, counters.get(Name.BACKGROUND_COMPLETED));
    }

    @Test
    void thousandTimedOutRequestsLeaveNoWorkBehind() throws Exception {
        RequestSlots slots = new RequestSlots(50, 5, counters);
        CountDownLatch release = new CountDownLatch(1);
        List<Future<RequestSlots.Outcome<String>>> futures = new ArrayList<>();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 1000; i++) {
                futures.add(ex.submit(() -> slots.run(0.01, () -> {
                    release.await(); // like the delay backend: interruptible, slower than the timeout
                    return "late";
                })));
            }
            int timedOut = 0;
            int overloaded = 0;
            for (Future<RequestSlots.Outcome<String>> f : futures) {
                var o = f.get();
                if (o instanceof RequestSlots.Outcome.TimedOut) {
                    timedOut++;
                } else if (o instanceof RequestSlots.Outcome.Overloaded) {
                    overloaded++;
                }
            }
            assertEquals(1000, timedOut + overloaded);
            assertTrue(timedOut > 0);
            assertEquals(timedOut, counters.get(Name.REQUESTS_TIMEOUT));
            assertEquals(overloaded, counters.get(Name.FOREGROUND_OVERLOADED));
            long detached = timedOut - counters.get(Name.BACKGROUND_REJECTED);
            assertTrue(detached <= 5, "at most the background slots continue: " + detached);
        }
        release.countDown(); // the "delay" has passed
        Await.until("no running tasks", () -> slots.activeTasks() == 0);
        Await.until("all slots free", () -> slots.freeBackgroundSlots() == 5 && slots.freeForegroundSlots() == 50);
        assertEquals(counters.get(Name.REQUESTS_TIMEOUT) - counters.get(Name.BACKGROUND_REJECTED),
                counters.get(Name.BACKGROUND_COMPLETED));
    }

    @Test
    void closeCancelsDetachedTasks() throws Exception {
        RequestSlots slots = new RequestSlots(1, 1, counters);
        CountDownLatch never = new CountDownLatch(1);
        slots.run(0.02, () -> {
            never.await();
            return "x";
        });
        assertEquals(1, slots.activeTasks());
        slots.close();
        Await.until("cancelled on close", () -> slots.activeTasks() == 0);
        Await.until("counted as background error", () -> counters.get(Name.BACKGROUND_ERRORS) == 1);
    }
}
