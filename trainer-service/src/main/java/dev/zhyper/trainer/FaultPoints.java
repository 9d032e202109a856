package dev.zhyper.trainer;

import org.jboss.logging.Logger;

/**
 * TEST-ONLY fault injection: with the system property {@code zhyper.trainer.fault-point=<name>} the process halts
 * ({@link Runtime#halt}: no shutdown hooks, no flushing — what SIGKILL does) when a streaming round reaches that point.
 * Points, in the order a round passes them: {@code training} (during the round's second optimiser step),
 * {@code after-rename} (the checkpoint directory is in place, not announced), {@code after-event} (announced, offsets
 * not committed), {@code before-commit} (just before {@code commitSync}). Never set it in production; it is read once
 * from the JVM's system properties (not a Quarkus config key, so no profile or environment variable can set it by
 * accident).
 */
final class FaultPoints {

    private static final Logger LOG = Logger.getLogger(FaultPoints.class);
    static final String PROPERTY = "zhyper.trainer.fault-point";
    private static final String ARMED = System.getProperty(PROPERTY, "");

    private FaultPoints() {}

    static void reach(String point) {
        if (!ARMED.isEmpty() && ARMED.equals(point)) {
            LOG.errorf("fault point '%s' reached: halting the process (test-only %s)", point, PROPERTY);
            System.err.println("zhyper-fault-point-halt " + point);
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }
}
