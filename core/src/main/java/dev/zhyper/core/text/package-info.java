/**
 * Text: Hugging Face {@code tokenizer.json} tokenizers (and a builder for char-level ones), incremental UTF-8
 * stream decoding, and chat templates (Mistral, Llama-3, Gemma, ChatML, plain).
 */
package dev.zhyper.core.text;
