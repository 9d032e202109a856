/**
 * The experiment grid of {@code zhyper experiments} on the task suite: plans, runs (resumable), the report
 * (tables, CSV, SVG plots) and the base model's in-context ceiling.
 */
package dev.zhyper.lab.experiments;
