package dev.zhyper.core.data;

/** One supervised example of a task: the model sees the prompt and learns to produce the response. */
public record TrainingExample(String task, String prompt, String response) {
    public TrainingExample {
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("example has no task");
        }
        if (prompt == null || response == null) {
            throw new IllegalArgumentException("example of task '" + task + "' lacks a prompt or a response");
        }
    }
}
