package dev.zhyper.core.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** An ordered registry of named parameters (insertion order is the canonical order for checkpoints). */
public final class ParameterSet {
    private final Map<String, Parameter> byName = new LinkedHashMap<>();

    public Parameter add(Parameter p) {
        if (byName.putIfAbsent(p.name(), p) != null) {
            throw new IllegalArgumentException("duplicate parameter " + p.name());
        }
        return p;
    }

    public Parameter get(String name) {
        Parameter p = byName.get(name);
        if (p == null) {
            throw new NoSuchElementException("no parameter named " + name);
        }
        return p;
    }

    public boolean contains(String name) { return byName.containsKey(name); }

    public List<Parameter> all() { return Collections.unmodifiableList(new ArrayList<>(byName.values())); }

    public List<Parameter> trainable() {
        return byName.values().stream().filter(Parameter::trainable).toList();
    }

    /** Count of trainable scalar values. */
    public long trainableCount() { return trainable().stream().mapToLong(Parameter::size).sum(); }
}
