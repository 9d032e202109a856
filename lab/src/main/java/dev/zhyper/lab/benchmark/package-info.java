/**
 * The real-model benchmark harness ({@code zhyper benchmark}): the paper's evaluation tasks (ARC, BoolQ, GSM8K,
 * …, CulturalBench) read from local files, their prompt templates, answer extraction and scoring
 * (docs/benchmarks.md). Accuracy, not speed.
 */
package dev.zhyper.lab.benchmark;
