package dev.zhyper.training;

/** The learning rate of each optimizer update (0-based global step). */
@FunctionalInterface
public interface LearningRate {
    double at(long step);
}
