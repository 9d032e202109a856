package dev.zhyper.trainer.canary;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Joins {@code zhyper.feedback} with {@code zhyper.generations} by request id, in bounded memory: served generations
 * are kept for {@code ttlMs} (at most {@code maxEntries}, oldest dropped first — a generation without feedback is
 * normal); a feedback that arrives before its generation waits up to {@code ttlMs} (at most {@code maxEntries}).
 * A waiting feedback that expires or is pushed out is returned by {@link #expire} to be dead-lettered ("no
 * generation with this request id within the join TTL"): nothing is dropped silently. A second feedback for the same
 * request is a duplicate (first one wins). Not thread-safe (the judge's thread owns it).
 */
public final class FeedbackJoin {

    /** One served generation. */
    public record Served(String arm, String checkpointId) {}

    /** A feedback joined with its generation. */
    public record Joined(String requestId, String arm, String checkpointId, double reward) {}

    /** A feedback still waiting for its generation, with its record (for the DLQ). */
    public record Waiting(String requestId, double reward, ConsumerRecord<String, byte[]> record, long at) {}

    public enum Result { JOINED, WAITING, DUPLICATE }

    private static final class Entry {
        final Served served;
        final long at;
        boolean joined;

        Entry(Served served, long at) {
            this.served = served;
            this.at = at;
        }
    }

    private final long ttlMs;
    private final int maxEntries;
    private final LinkedHashMap<String, Entry> generations = new LinkedHashMap<>();
    private final LinkedHashMap<String, Waiting> waiting = new LinkedHashMap<>();

    public FeedbackJoin(long ttlMs, int maxEntries) {
        if (ttlMs <= 0) throw new IllegalArgumentException("join TTL must be > 0 ms, got " + ttlMs);
        if (maxEntries < 1) throw new IllegalArgumentException("join max entries must be >= 1, got " + maxEntries);
        this.ttlMs = ttlMs;
        this.maxEntries = maxEntries;
    }

    /** A generation was served; returns the join if its feedback was already waiting. */
    public Optional<Joined> onGeneration(String requestId, Served served, long now) {
        Entry e = generations.get(requestId);
        if (e == null) {
            e = new Entry(served, now);
            generations.put(requestId, e);
        }
        Waiting w = waiting.remove(requestId);
        if (w != null && !e.joined) {
            e.joined = true;
            return Optional.of(new Joined(requestId, e.served.arm(), e.served.checkpointId(), w.reward()));
        }
        return Optional.empty();
    }

    /** A feedback arrived: joined, waiting for its generation, or a duplicate. */
    public Result onFeedback(String requestId, double reward, ConsumerRecord<String, byte[]> record, long now,
                             List<Joined> out) {
        Entry e = generations.get(requestId);
        if (e != null) {
            if (e.joined) return Result.DUPLICATE;
            e.joined = true;
            out.add(new Joined(requestId, e.served.arm(), e.served.checkpointId(), reward));
            return Result.JOINED;
        }
        if (waiting.containsKey(requestId)) return Result.DUPLICATE;
        waiting.put(requestId, new Waiting(requestId, reward, record, now));
        return Result.WAITING;
    }

    /** Drops expired generations; returns the waiting feedback that expired or did not fit (to dead-letter). */
    public List<Waiting> expire(long now) {
        for (Iterator<Map.Entry<String, Entry>> it = generations.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> e = it.next();
            if (generations.size() > maxEntries || now - e.getValue().at > ttlMs) it.remove();
            else break;
        }
        List<Waiting> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, Waiting>> it = waiting.entrySet().iterator(); it.hasNext(); ) {
            Waiting w = it.next().getValue();
            if (waiting.size() > maxEntries || now - w.at() > ttlMs) {
                it.remove();
                out.add(w);
            } else {
                break;
            }
        }
        return out;
    }

    public int waitingCount() {
        return waiting.size();
    }

    public int generationCount() {
        return generations.size();
    }

    public long ttlMs() {
        return ttlMs;
    }
}
