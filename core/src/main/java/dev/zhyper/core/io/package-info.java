/**
 * Files in and out: the strict safetensors reader and writer (never pickle), HF weight sources (single and
 * sharded), dtypes and half floats, crash-safe writes, and the PEFT export of one context.
 */
package dev.zhyper.core.io;
