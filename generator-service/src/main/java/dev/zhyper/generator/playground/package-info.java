/**
 * The playground page at {@code /playground/} (static files in {@code META-INF/resources/playground}) and the two
 * small JSON endpoints it needs beside the OpenAI API: the z of a description per layer and module, and what serves.
 */
package dev.zhyper.generator.playground;
