/**
 * Small neural-network building blocks: named parameters and parameter sets, initialisers, no-grad scopes,
 * casts under autograd (ADR 0003) and tensors made from Java values that own their memory (ADR 0005).
 */
package dev.zhyper.core.nn;
