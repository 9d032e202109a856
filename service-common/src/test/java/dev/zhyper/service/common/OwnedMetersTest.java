package dev.zhyper.service.common;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A restart in one JVM, as Quarkus does it: the global composite keeps its meters, the first application's registry
 * is removed, the old owner is collected, a new registry is added and a new owner registers the same gauge.
 */
class OwnedMetersTest {

    @Test
    void aGaugeRemovedWithItsOwnerIsRegisteredAfreshByTheNextOwner() {
        CompositeMeterRegistry global = new CompositeMeterRegistry();
        assertEquals(2.0, restart(global, true), "the new owner's value on the new registry");
    }

    /** The failure OwnedMeters prevents (seen in CI as a missing zhyper_trainer_canary_mean_reward). */
    @Test
    void withoutRemovalTheGaugeVanishesFromTheNextRegistry() {
        CompositeMeterRegistry global = new CompositeMeterRegistry();
        Double value = restart(global, false);
        assertNull(value, "the old gauge, whose object was collected, has no child on the new registry");
    }

    /** Returns the gauge's value on the second registry, or null when the gauge is absent there. */
    private static Double restart(CompositeMeterRegistry global, boolean close) {
        SimpleMeterRegistry first = new SimpleMeterRegistry();
        global.add(first);
        WeakReference<AtomicInteger> oldOwner = firstApplication(global, close);
        global.remove(first);
        for (int i = 0; i < 50 && oldOwner.get() != null; i++) {
            System.gc();
        }
        assumeTrue(oldOwner.get() == null, "the JVM did not collect the old owner");

        SimpleMeterRegistry second = new SimpleMeterRegistry();
        global.add(second);
        AtomicInteger newOwner = new AtomicInteger(2);
        OwnedMeters meters = new OwnedMeters(global);
        meters.own(Gauge.builder("zhyper.test.gauge", newOwner, AtomicInteger::get).register(meters.registry()));
        Gauge g = second.find("zhyper.test.gauge").gauge();
        assertNotNull(newOwner);
        return g == null ? null : g.value();
    }

    private static WeakReference<AtomicInteger> firstApplication(CompositeMeterRegistry global, boolean close) {
        AtomicInteger owner = new AtomicInteger(1);
        OwnedMeters meters = new OwnedMeters(global);
        meters.own(Gauge.builder("zhyper.test.gauge", owner, AtomicInteger::get).register(meters.registry()));
        if (close) meters.close();
        return new WeakReference<>(owner);
    }
}
