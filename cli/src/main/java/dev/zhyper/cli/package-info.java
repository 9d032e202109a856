/**
 * The {@code zhyper} command line: the picocli entry point ({@code Main}), shared runtime options and the
 * error type whose message is printed as {@code error: <message>} with exit code 1.
 */
package dev.zhyper.cli;
