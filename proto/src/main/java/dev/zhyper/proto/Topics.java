package dev.zhyper.proto;

import java.util.List;

/**
 * Kafka topic names of Zhyper and the message type each carries (JSON values, see events.proto).
 */
public final class Topics {

    private Topics() {}

    /** {@code TrainingExampleEvent}, key = task. */
    public static final String TRAINING_EXAMPLES = "zhyper.training.examples";
    /** {@code TrainingControlEvent}, key = job id. */
    public static final String TRAINING_CONTROL = "zhyper.training.control";
    /** {@code TrainingProgressEvent}, key = job id. */
    public static final String TRAINING_PROGRESS = "zhyper.training.progress";
    /** {@code CheckpointEvent}, key = checkpoint id. */
    public static final String CHECKPOINTS = "zhyper.checkpoints";
    /** {@code ContextEvent}, key = context hash. */
    public static final String CONTEXTS = "zhyper.contexts";
    /** {@code AdapterEvent}, key = context hash. */
    public static final String ADAPTERS = "zhyper.adapters";
    /** {@code GenerationEvent}, key = request id. */
    public static final String GENERATIONS = "zhyper.generations";
    /** {@code FeedbackEvent}, key = request id. */
    public static final String FEEDBACK = "zhyper.feedback";

    /** Prefix of dead-letter topics: {@code zhyper.dlq.<original topic>}. */
    public static final String DLQ_PREFIX = "zhyper.dlq.";

    /** Header names on dead-letter records (UTF-8 string values). */
    public static final String DLQ_REASON_HEADER = "zhyper-dlq-reason";
    public static final String DLQ_TOPIC_HEADER = "zhyper-dlq-topic";
    public static final String DLQ_OFFSET_HEADER = "zhyper-dlq-offset";
    public static final String DLQ_PARTITION_HEADER = "zhyper-dlq-partition";

    /** Current schema_version of every event message. */
    public static final int SCHEMA_VERSION = 1;

    /** All event topics (without DLQs). */
    public static final List<String> ALL = List.of(TRAINING_EXAMPLES, TRAINING_CONTROL, TRAINING_PROGRESS,
            CHECKPOINTS, CONTEXTS, ADAPTERS, GENERATIONS, FEEDBACK);

    /** The dead-letter topic of {@code topic}. */
    public static String dlq(String topic) {
        return DLQ_PREFIX + topic;
    }

    /** All event topics and their dead-letter topics. */
    public static List<String> allWithDlq() {
        java.util.ArrayList<String> out = new java.util.ArrayList<>(ALL);
        for (String t : ALL) out.add(dlq(t));
        return List.copyOf(out);
    }
}
