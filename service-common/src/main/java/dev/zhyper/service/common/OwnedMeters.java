package dev.zhyper.service.common;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The function-backed meters (gauges, function counters) one component registered, removed from the registry again
 * when the component closes.
 *
 * <p>Why: the {@code MeterRegistry} Quarkus injects is Micrometer's process-wide composite, and a function-backed
 * meter holds only a weak reference to the object it reads. When a component's meters outlive it — a Quarkus
 * restart inside the same JVM: a dev-mode live reload, a test class with another profile — the next instance's
 * registration under the same name and tags returns the old meter, and once the old object is collected, the new
 * Prometheus registry never gets a child for it: the metric vanishes from {@code /q/metrics}. Removing the meters
 * when their owner is destroyed lets the next owner register them afresh.
 */
public final class OwnedMeters implements AutoCloseable {

    private final MeterRegistry registry;
    private final List<Meter> meters = new CopyOnWriteArrayList<>();

    public OwnedMeters(MeterRegistry registry) {
        this.registry = registry;
    }

    /** The registry to register on; pass the registered meter to {@link #own}. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Records a registered meter for removal at {@link #close}; returns it. */
    public <M extends Meter> M own(M meter) {
        meters.add(meter);
        return meter;
    }

    /** Removes every owned meter from the registry. */
    @Override
    public void close() {
        for (Meter m : meters) {
            registry.remove(m);
        }
        meters.clear();
    }
}
