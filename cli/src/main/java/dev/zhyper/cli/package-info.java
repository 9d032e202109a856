/**
 * The {@code zhyper} command line: the picocli entry point ({@code Main}) that registers the commands of
 * {@code dev.zhyper.cli.commands}.
 */
package dev.zhyper.cli;
