/**
 * The adapted projection {@code y = W x + s · B · Z(c) · A x} (docs/method.md §1): the adapter's specification,
 * the shared A and B, the per-context modulation Z(c), the per-batch-row update ({@code BatchAdapter}: one shrink
 * GEMM, a per-row z, one expand GEMM) and the parameter counts of every method. Each method is one {@code AdapterKind}
 * (a sealed interface: {@code MultiTaskLora}, {@code ZhyperDiag}, {@code ZhyperSquare}, {@code TextToLora}) owning its
 * head width and initialisation, its delta and its PEFT factors; {@code AdapterMethod} is its stable id.
 */
package dev.zhyper.core.adapter;
