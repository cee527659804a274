package com.timestamps.application;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit: the items of concurrent callers are written together, as one batch per write.
 *
 * <p>A caller queues its item. If fewer than {@code maxBatchesInFlight} batches are being written,
 * the caller takes the queued items (oldest first, at most {@code maxBatchSize}) and writes them
 * itself; otherwise it waits, and the caller that finishes a batch wakes the oldest queued one to
 * write the next. So no thread is added and no item waits for a timer: one item alone is
 * written at once, and items pile up only while the database is busy with earlier batches,
 * which is exactly when sharing one transaction pays.
 *
 * <p>Each caller gets its own outcome only after its batch's write returned, or the failure of
 * that write. A caller still queued at its deadline leaves the queue: its item was not written.
 *
 * @param <I> an item to write
 * @param <O> the outcome of writing one item
 */
public final class GroupCommit<I, O> {

    /** Writes one batch. Returns one outcome per item in the batch's order, or throws for all. */
    @FunctionalInterface
    public interface BatchWriter<I, O> {
        List<O> write(List<I> batch);
    }

    private final BatchWriter<I, O> writer;
    private final int maxBatchSize;
    private final int maxBatchesInFlight;

    private final ReentrantLock lock = new ReentrantLock();
    private final Deque<Caller> queue = new ArrayDeque<>();
    private int batchesInFlight;

    public GroupCommit(BatchWriter<I, O> writer, int maxBatchSize, int maxBatchesInFlight) {
        if (maxBatchSize < 1 || maxBatchesInFlight < 1) {
            throw new IllegalArgumentException("batch size and batches in flight must be at least 1");
        }
        this.writer = writer;
        this.maxBatchSize = maxBatchSize;
        this.maxBatchesInFlight = maxBatchesInFlight;
    }

    /**
     * Writes the item in a batch and returns its outcome, or empty if the item was still queued
     * at {@code deadlineNanos} ({@link System#nanoTime()}) and so was not written. Throws what
     * the write of its batch threw.
     */
    public Optional<O> submit(I item, long deadlineNanos) {
        Caller self = new Caller(item);
        lock.lock();
        try {
            queue.addLast(self);
            while (!self.done) {
                if (!queue.isEmpty() && batchesInFlight < maxBatchesInFlight) {
                    writeNextBatch();
                } else if (self.queued) {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0 || !awaitQueued(self, left)) {
                        queue.remove(self);
                        // it may have been woken to write: pass that on
                        wakeNextWriter();
                        return Optional.empty();
                    }
                } else {
                    // taken into a batch: its outcome comes when that write returns
                    self.woken.awaitUninterruptibly();
                }
            }
            return Optional.of(self.outcome());
        } finally {
            lock.unlock();
        }
    }

    /** Items queued and not yet taken into a batch. */
    public int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** @return false if interrupted (the interrupt stays set) */
    private boolean awaitQueued(Caller self, long nanos) {
        try {
            self.woken.awaitNanos(nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Called and returns with the lock held; releases it while the batch is written. */
    private void writeNextBatch() {
        List<Caller> batch = new ArrayList<>(Math.min(queue.size(), maxBatchSize));
        while (batch.size() < maxBatchSize && !queue.isEmpty()) {
            Caller next = queue.pollFirst();
            next.queued = false;
            batch.add(next);
        }
        batchesInFlight++;
        wakeNextWriter();
        List<O> outcomes = null;
        Throwable failure = null;
        lock.unlock();
        try {
            outcomes = writer.write(batch.stream().map(caller -> caller.item).toList());
            if (outcomes.size() != batch.size()) {
                failure = new IllegalStateException(
                        "batch writer returned " + outcomes.size() + " outcomes for " + batch.size() + " items");
            }
        } catch (RuntimeException | Error e) {
            failure = e;
        } finally {
            lock.lock();
        }
        batchesInFlight--;
        for (int i = 0; i < batch.size(); i++) {
            Caller caller = batch.get(i);
            caller.done = true;
            caller.failure = failure;
            caller.outcome = failure == null ? outcomes.get(i) : null;
            caller.woken.signal();
        }
        wakeNextWriter();
    }

    /** If a batch could start now, wakes the oldest queued caller to write it. Lock held. */
    private void wakeNextWriter() {
        if (!queue.isEmpty() && batchesInFlight < maxBatchesInFlight) {
            queue.peekFirst().woken.signal();
        }
    }

    private final class Caller {
        final I item;
        final Condition woken = lock.newCondition();
        boolean queued = true;
        boolean done;
        O outcome;
        Throwable failure;

        Caller(I item) {
            this.item = item;
        }

        O outcome() {
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (failure instanceof Error error) {
                throw error;
            }
            return outcome;
        }
    }
}
