/**
 * Greedy generation with exact-match scoring over items that mix contexts freely (each distinct condition is
 * modulated once).
 */
package dev.zhyper.core.eval;
