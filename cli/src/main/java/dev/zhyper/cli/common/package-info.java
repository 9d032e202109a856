/**
 * What the commands and the local stack share: the runtime options mixin ({@code --device}, {@code --dtype}) and
 * the error type whose message is printed as {@code error: <message>} with exit code 1. Below both, so that the
 * entry point, the commands and the stack form no cycle.
 */
package dev.zhyper.cli.common;
