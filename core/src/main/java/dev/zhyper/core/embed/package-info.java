/**
 * Description embedders (the packaged all-MiniLM-L6-v2, ONNX sentence encoders, the base model's own hidden
 * states, one-hot task ids for Zhyper-OHE) and the embedding caches in front of them.
 */
package dev.zhyper.core.embed;
