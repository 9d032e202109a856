/**
 * The task-conditioning suite in {@code data/suite/}: string tasks, their descriptions (training and held-out),
 * the suite's generator and reader, and the pretraining corpus of same-task documents (ADR 0006).
 */
package dev.zhyper.lab.suite;
