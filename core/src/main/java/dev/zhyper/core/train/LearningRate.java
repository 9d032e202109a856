package dev.zhyper.core.train;

/** The learning rate of each optimizer update (0-based global step). */
@FunctionalInterface
public interface LearningRate {
    double at(long step);
}
