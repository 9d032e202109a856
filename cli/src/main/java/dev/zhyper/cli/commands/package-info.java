/**
 * One picocli command per {@code zhyper} sub-command. Commands are thin: they parse options, call the engine
 * (or the lab code in core) and print results on stdout, diagnostics on stderr.
 */
package dev.zhyper.cli.commands;
