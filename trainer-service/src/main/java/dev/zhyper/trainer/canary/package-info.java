/**
 * The canary and promotion of trainer-service: the {@link dev.zhyper.trainer.Ledger} (what
 * {@code zhyper.checkpoints} says is served, and the sequencer of announcements), the judge joining
 * {@code zhyper.feedback} with {@code zhyper.generations} into per-arm outcomes with confidence intervals and deciding by
 * policy, and promotion / rollback (docs/adr/0010-canary-promotion.md).
 */
package dev.zhyper.trainer.canary;

