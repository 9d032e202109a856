package dev.zhyper.trainer.canary;

import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Locale;

/** {@code zhyper.canary.*} of the trainer (documented in application.properties). A @Singleton (no client proxy) so
 * that its fields can be read directly. */
@Singleton
public class CanarySettings {

    /** Run the canary judge (consume generations + feedback, decide by policy). */
    @ConfigProperty(name = "zhyper.canary.enabled", defaultValue = "true")
    boolean enabled;

    /** auto: promote / roll back when the difference is significant; manual: only report (PromoteCheckpoint). */
    @ConfigProperty(name = "zhyper.canary.policy", defaultValue = "auto")
    String policy;

    /** Two-sided confidence of the intervals, in (0, 1). */
    @ConfigProperty(name = "zhyper.canary.confidence", defaultValue = "0.95")
    double confidence;

    /** Joined feedbacks each arm needs before the policy decides. */
    @ConfigProperty(name = "zhyper.canary.min-samples", defaultValue = "200")
    long minSamples;

    /** How long a generation waits for its feedback, and a feedback for its generation (ms). */
    @ConfigProperty(name = "zhyper.canary.join-ttl-ms", defaultValue = "3600000")
    long joinTtlMs;

    /** Most generations (and, separately, early feedbacks) held for the join. */
    @ConfigProperty(name = "zhyper.canary.join-max-entries", defaultValue = "200000")
    int joinMaxEntries;

    /**
     * The generator's control arm ({@code zhyper.ab.follow-arm} there): before any promotion was announced, its
     * generations are the control's (the checkpoint the generator was started with).
     */
    @ConfigProperty(name = "zhyper.canary.control-arm", defaultValue = "control")
    String controlArm;

    /** Consumer group of the judge on zhyper.generations + zhyper.feedback. */
    @ConfigProperty(name = "zhyper.canary.group-id", defaultValue = "zhyper-trainer-canary")
    String groupId;

    /** Where a new judge group starts: earliest | latest. */
    @ConfigProperty(name = "zhyper.canary.auto-offset-reset", defaultValue = "earliest")
    String autoOffsetReset;

    public boolean auto() {
        String p = policy.trim().toLowerCase(Locale.ROOT);
        if (p.equals("auto")) return true;
        if (p.equals("manual")) return false;
        throw new IllegalArgumentException("zhyper.canary.policy must be auto or manual, got '" + policy + "'");
    }

    public double confidence() {
        return confidence;
    }

    public long minSamples() {
        return minSamples;
    }
}
