package com.timestamps.application;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class GroupCommitTest {

    private static final long NO_DEADLINE = Long.MAX_VALUE;

    private final ExecutorService callers = Executors.newCachedThreadPool();
    private final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    /** Records each batch, waits at the gate if there is one, answers "item × 10". */
    private GroupCommit.BatchWriter<Integer, Integer> recordingWriter(CountDownLatch gate) {
        return batch -> {
            batches.add(batch);
            await(gate);
            return batch.stream().map(item -> item * 10).toList();
        };
    }

    @Test
    void aLoneItemIsWrittenAtOnceByItsCaller() {
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(recordingWriter(new CountDownLatch(0)), 10, 1);

        assertEquals(Optional.of(70), commit.submit(7, NO_DEADLINE));
        assertEquals(List.of(List.of(7)), batches);
    }

    @Test
    void itemsQueuedWhileABatchIsWrittenGoTogetherInTheNextOne() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(recordingWriter(gate), 10, 1);
        Future<Optional<Integer>> first = callers.submit(() -> commit.submit(0, NO_DEADLINE));
        waitUntil(() -> batches.size() == 1);
        List<Future<Optional<Integer>>> queued = new ArrayList<>();
        for (int item = 1; item <= 5; item++) {
            int value = item;
            queued.add(callers.submit(() -> commit.submit(value, NO_DEADLINE)));
        }
        waitUntil(() -> commit.queued() == 5);

        gate.countDown();

        assertEquals(Optional.of(0), first.get());
        for (int item = 1; item <= 5; item++) {
            assertEquals(Optional.of(item * 10), queued.get(item - 1).get(), "each caller gets its own outcome");
        }
        assertEquals(2, batches.size());
        assertEquals(List.of(1, 2, 3, 4, 5), batches.get(1).stream().sorted().toList());
    }

    @Test
    void aBatchTakesAtMostMaxBatchSizeItems() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(recordingWriter(gate), 4, 1);
        List<Future<Optional<Integer>>> all = new ArrayList<>();
        all.add(callers.submit(() -> commit.submit(0, NO_DEADLINE)));
        waitUntil(() -> batches.size() == 1);
        for (int item = 1; item <= 10; item++) {
            int value = item;
            all.add(callers.submit(() -> commit.submit(value, NO_DEADLINE)));
        }
        waitUntil(() -> commit.queued() == 10);

        gate.countDown();
        for (Future<Optional<Integer>> each : all) {
            assertTrue(each.get().isPresent());
        }

        assertEquals(List.of(1, 4, 4, 2), batches.stream().map(List::size).toList());
    }

    @Test
    void noMoreThanMaxBatchesInFlightAreWrittenAtOnce() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(batch -> {
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            sleep(5);
            inFlight.decrementAndGet();
            return batch;
        }, 3, 2);
        List<Future<Optional<Integer>>> all = new ArrayList<>();
        for (int item = 0; item < 200; item++) {
            int value = item;
            all.add(callers.submit(() -> commit.submit(value, NO_DEADLINE)));
        }
        for (int item = 0; item < 200; item++) {
            assertEquals(Optional.of(item), all.get(item).get());
        }
        assertTrue(mostInFlight.get() <= 2, "at most 2 batches in flight, saw " + mostInFlight.get());
    }

    @Test
    void theFailureOfAWriteReachesEveryCallerInItsBatchAndOnlyThem() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        RuntimeException outage = new DatabaseUnavailableException("down", null);
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(batch -> {
            batches.add(batch);
            await(gate);
            if (batch.contains(1)) {
                throw outage;
            }
            return batch;
        }, 2, 1);
        Future<Optional<Integer>> first = callers.submit(() -> commit.submit(0, NO_DEADLINE));
        waitUntil(() -> batches.size() == 1);
        Future<Optional<Integer>> one = callers.submit(() -> commit.submit(1, NO_DEADLINE));
        waitUntil(() -> commit.queued() == 1);
        Future<Optional<Integer>> two = callers.submit(() -> commit.submit(2, NO_DEADLINE));
        waitUntil(() -> commit.queued() == 2);
        Future<Optional<Integer>> three = callers.submit(() -> commit.submit(3, NO_DEADLINE));
        waitUntil(() -> commit.queued() == 3);

        gate.countDown();

        assertEquals(Optional.of(0), first.get());
        assertSame(outage, assertThrows(Exception.class, one::get).getCause());
        assertSame(outage, assertThrows(Exception.class, two::get).getCause());
        assertEquals(Optional.of(3), three.get(), "the next batch is written as usual");
    }

    @Test
    void aCallerStillQueuedAtItsDeadlineLeavesAndItsItemIsNeverWritten() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(recordingWriter(gate), 10, 1);
        Future<Optional<Integer>> first = callers.submit(() -> commit.submit(0, NO_DEADLINE));
        waitUntil(() -> batches.size() == 1);

        long soon = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        assertEquals(Optional.empty(), commit.submit(1, soon));
        assertEquals(0, commit.queued());

        gate.countDown();
        assertEquals(Optional.of(0), first.get());
        assertEquals(Optional.of(20), commit.submit(2, NO_DEADLINE));
        assertEquals(List.of(List.of(0), List.of(2)), batches);
    }

    @Test
    void anInterruptedQueuedCallerLeavesWithItsInterruptAndTheOthersGoOn() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(recordingWriter(gate), 10, 1);
        Future<Optional<Integer>> first = callers.submit(() -> commit.submit(0, NO_DEADLINE));
        waitUntil(() -> batches.size() == 1);
        Future<String> interrupted = callers.submit(() -> commit.submit(1, NO_DEADLINE)
                + " interrupted=" + Thread.currentThread().isInterrupted());
        waitUntil(() -> commit.queued() == 1);
        Future<Optional<Integer>> next = callers.submit(() -> commit.submit(2, NO_DEADLINE));
        waitUntil(() -> commit.queued() == 2);

        interrupted.cancel(true);
        waitUntil(() -> commit.queued() == 1);
        gate.countDown();

        assertEquals(Optional.of(0), first.get());
        assertEquals(Optional.of(20), next.get());
        assertEquals(List.of(List.of(0), List.of(2)), batches, "the interrupted caller's item was never written");
    }

    @Test
    void aWriterThatLosesOutcomesFailsItsBatch() {
        GroupCommit<Integer, Integer> commit = new GroupCommit<>(batch -> List.of(), 10, 1);

        assertThrows(IllegalStateException.class, () -> commit.submit(1, NO_DEADLINE));
    }

    private static void waitUntil(BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            sleep(1);
        }
    }

    private static void await(CountDownLatch gate) {
        try {
            gate.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
