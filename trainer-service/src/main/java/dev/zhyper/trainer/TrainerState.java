package dev.zhyper.trainer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zhyper.proto.v1.CheckpointStatus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the trainer must remember across restarts that is not in a checkpoint or in Kafka, in ONE small file
 * {@code <root>/trainer-state.json} (rewritten whole: temp file, fsync, atomic rename):
 * <ul>
 * <li>{@code sequence}: the last announcement number handed out ({@link EventPublisher#announce});</li>
 * <li>{@code checkpoints}: per checkpoint id the last status announced for it (UNGATED, CANDIDATE, REJECTED,
 *     PROMOTED, ROLLED_BACK) and whether it was ever promoted; a checkpoint directory with no entry was written
 *     but never announced (a crash between the rename and the event) and is announced at the next start;</li>
 * <li>{@code stream_origin}: the global step at which streaming started (the origin of its one learning-rate
 *     schedule).</li>
 * </ul>
 * Thread-safe.
 */
public final class TrainerState {

    static final String FILE = "trainer-state.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The last announcement of a checkpoint. */
    public record Announced(CheckpointStatus status, long sequence, boolean everPromoted) {}

    private final Path file;
    private long sequence;
    private Long streamOrigin;
    private final Map<String, Announced> checkpoints = new LinkedHashMap<>();

    private TrainerState(Path file) {
        this.file = file;
    }

    /** Reads {@code <root>/trainer-state.json} (empty state when absent; a damaged file is refused, naming it). */
    public static TrainerState open(Path root) {
        TrainerState s = new TrainerState(root.resolve(FILE));
        try {
            Files.createDirectories(root);
            if (!Files.isRegularFile(s.file)) return s;
            JsonNode n = JSON.readTree(s.file.toFile());
            s.sequence = n.path("sequence").asLong(0);
            if (n.hasNonNull("stream_origin")) s.streamOrigin = n.get("stream_origin").asLong();
            n.path("checkpoints").fields().forEachRemaining(e -> s.checkpoints.put(e.getKey(), new Announced(
                    CheckpointStatus.valueOf(e.getValue().path("status").asText("UNGATED")),
                    e.getValue().path("sequence").asLong(0), e.getValue().path("ever_promoted").asBoolean(false))));
            return s;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(s.file + " is damaged (" + e.getMessage() + "); move it away to start"
                    + " afresh (unannounced checkpoints will be announced again)", e);
        }
    }

    /**
     * The next announcement number: max(last + 1, epoch millis), persisted before it is used, so it grows across
     * restarts even if the clock stepped back.
     */
    public synchronized long nextSequence() {
        sequence = Math.max(sequence + 1, System.currentTimeMillis());
        write();
        return sequence;
    }

    /**
     * Notes a sequence seen on zhyper.checkpoints (another producer's, or an earlier life's): the next one handed
     * out is above it.
     */
    public synchronized void observeSequence(long seen) {
        if (seen > sequence) {
            sequence = seen;
            write();
        }
    }

    public synchronized long lastSequence() {
        return sequence;
    }

    /** Records the status just announced for a checkpoint. */
    public synchronized void announced(String checkpointId, CheckpointStatus status, long seq) {
        Announced before = checkpoints.get(checkpointId);
        boolean promoted = status == CheckpointStatus.PROMOTED || (before != null && before.everPromoted());
        checkpoints.put(checkpointId, new Announced(status, seq, promoted));
        write();
    }

    public synchronized Optional<Announced> of(String checkpointId) {
        return Optional.ofNullable(checkpoints.get(checkpointId));
    }

    /** Forgets checkpoints deleted by retention. */
    public synchronized void forget(java.util.Collection<String> ids) {
        if (checkpoints.keySet().removeAll(ids)) write();
    }

    public synchronized OptionalLong streamOrigin() {
        return streamOrigin == null ? OptionalLong.empty() : OptionalLong.of(streamOrigin);
    }

    public synchronized void streamOrigin(long step) {
        streamOrigin = step;
        write();
    }

    private void write() {
        ObjectNode n = JSON.createObjectNode();
        n.put("sequence", sequence);
        if (streamOrigin != null) n.put("stream_origin", streamOrigin);
        ObjectNode cs = n.putObject("checkpoints");
        checkpoints.forEach((id, a) -> {
            ObjectNode c = cs.putObject(id);
            c.put("status", a.status().name());
            c.put("sequence", a.sequence());
            c.put("ever_promoted", a.everPromoted());
        });
        Path tmp = file.resolveSibling("." + FILE + "-" + System.nanoTime() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n)));
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
