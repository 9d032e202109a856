/**
 * {@code ZhyperEngine}: a base model with its (optional) adapter, embedder, tokenizer and chat template — the one
 * object the services and the CLI hold.
 */
package dev.zhyper.core.engine;
