package dev.zhyper.lab.benchmark;

/**
 * How one generation was scored.
 *
 * @param predicted the answer read from the generation, or null when it had none
 * @param expected  the normalised expected answer
 */
public record Judgement(String predicted, String expected, boolean correct) {}
