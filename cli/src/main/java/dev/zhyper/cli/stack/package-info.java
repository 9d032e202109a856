/**
 * The embedded local stack behind {@code zhyper up}, {@code down} and {@code demo}: a Kafka broker and the four
 * services as child processes, described by {@code <home>/stack.json}.
 */
package dev.zhyper.cli.stack;
