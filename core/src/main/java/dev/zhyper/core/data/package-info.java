/**
 * Training data on disk: JSON-lines examples {@code {task, prompt, response}} and task → descriptions maps, read
 * with line-numbered errors.
 */
package dev.zhyper.core.data;
