package dev.zhyper.core.eval;

/**
 * One evaluation question.
 *
 * @param condition what conditions the adapter: a description, or the task label for one-hot checkpoints;
 *                  null for none (base model, MTL)
 * @param system    text placed in the prompt (the "prepended description" baseline), or null
 */
public record EvalItem(String task, String condition, String system, String prompt, String expected) {}
