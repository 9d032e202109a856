/**
 * The hypernetwork H_φ(c, l, t) (docs/method.md §2): the Text-to-LoRA trunk with one small head per module type,
 * and its widths.
 */
package dev.zhyper.core.hyper;
