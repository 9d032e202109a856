package dev.zhyper.hypernet;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import java.util.Collection;
import java.util.Map;

/**
 * Every hypernet replica must see every checkpoint (its own consumer group per instance), but should not replay
 * the whole history at start: on assignment, each partition of zhyper.checkpoints is positioned at its LAST record,
 * so a starting replica applies the newest checkpoint announcement and everything after it (only on the first
 * assignment of a partition in this process; later rebalances continue from the committed position).
 */
@ApplicationScoped
@Identifier(CheckpointRebalanceListener.NAME)
public class CheckpointRebalanceListener implements KafkaConsumerRebalanceListener {

    public static final String NAME = "zhyper-hypernet-checkpoints";
    private static final Logger LOG = Logger.getLogger(CheckpointRebalanceListener.class);

    private volatile boolean assigned;
    private final java.util.Set<TopicPartition> positioned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Whether partitions of zhyper.checkpoints are assigned (events published from now on are seen). */
    public boolean assigned() {
        return assigned;
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        java.util.List<TopicPartition> fresh = partitions.stream().filter(tp -> !positioned.contains(tp)).toList();
        Map<TopicPartition, Long> ends = fresh.isEmpty() ? Map.of() : consumer.endOffsets(fresh);
        for (TopicPartition tp : fresh) {
            long end = ends.getOrDefault(tp, 0L);
            long pos = Math.max(0, end - 1);
            consumer.seek(tp, pos);
            positioned.add(tp);
            LOG.debugf("%s positioned at %d (end %d)", tp, pos, end);
        }
        assigned = !partitions.isEmpty() || assigned;
    }
}
