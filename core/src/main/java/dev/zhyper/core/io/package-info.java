/**
 * Files in and out: the strict safetensors reader and writer (never pickle), HF weight sources (single and
 * sharded), dtypes and half floats, crash-safe writes (the PEFT export of a context lives with the adapter).
 */
package dev.zhyper.core.io;
