package dev.procflux.web;

import static dev.procflux.web.YamlValues.bool;
import static dev.procflux.web.YamlValues.checkKeys;
import static dev.procflux.web.YamlValues.duration;
import static dev.procflux.web.YamlValues.integer;
import static dev.procflux.web.YamlValues.map;
import static dev.procflux.web.YamlValues.number;
import static dev.procflux.web.YamlValues.scalar;

import dev.procflux.BackpressurePolicy;
import dev.procflux.ProcessEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/** Reads the {@code engine:} section of an actions file into settings checked by the engine's own builder. */
final class YamlEngineSection {
    private static final Set<String> ENGINE_KEYS = Set.of("maxConcurrency", "maxPendingAcquire", "acquireTimeout",
            "killGracePeriod", "maxBufferedBytes", "backpressure", "highWaterBytes", "lowWaterBytes", "directReads",
            "maxTotalBufferedBytes");

    private YamlEngineSection() {
    }

    /** One key of the {@code engine:} section, checked when parsed. */
    record Setting(String key, Consumer<ProcessEngine.Builder> setter) {
        void applyTo(ProcessEngine.Builder b) {
            setter.accept(b);
        }
    }

    /**
     * @param section the section, or {@code null} when the file has none
     * @return its settings, each already applied once to a throwaway builder so that a bad value fails now
     * @throws IllegalArgumentException naming the key and the value
     */
    static List<Setting> settings(@Nullable Object section) {
        List<Setting> settings = new ArrayList<>();
        if (section == null) {
            return settings;
        }
        Map<?, ?> engine = map(section, "'engine'");
        checkKeys(engine, ENGINE_KEYS, "engine");
        if (engine.containsKey("lowWaterBytes") != engine.containsKey("highWaterBytes")) {
            throw new IllegalArgumentException("engine: 'highWaterBytes' and 'lowWaterBytes' go together");
        }
        ProcessEngine.Builder check = ProcessEngine.builder();
        for (Map.Entry<?, ?> e : engine.entrySet()) {
            String key = String.valueOf(e.getKey());
            Consumer<ProcessEngine.Builder> setter;
            try {
                setter = setter(key, e.getValue(), engine);
                if (setter == null) {
                    continue;
                }
                setter.accept(check); // the builder's own range checks, at load time
            }
            catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("engine: " + ex.getMessage(), ex);
            }
            settings.add(new Setting(key, setter));
        }
        try {
            check.buildOptions();
        }
        catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("engine: " + ex.getMessage(), ex);
        }
        return settings;
    }

    /** @return the setter of {@code key}, or {@code null} for {@code lowWaterBytes}, set with {@code highWaterBytes} */
    private static @Nullable Consumer<ProcessEngine.Builder> setter(String key, @Nullable Object v, Map<?, ?> engine) {
        switch (key) {
            case "maxConcurrency": {
                int n = integer(v, key);
                return b -> b.maxConcurrency(n);
            }
            case "maxPendingAcquire": {
                int n = integer(v, key);
                return b -> b.maxPendingAcquire(n);
            }
            case "acquireTimeout": {
                Duration d = duration(v, key);
                return b -> b.acquireTimeout(d);
            }
            case "killGracePeriod": {
                Duration d = duration(v, key);
                return b -> b.killGracePeriod(d);
            }
            case "maxBufferedBytes": {
                long n = number(v, key);
                return b -> b.maxBufferedBytes(n);
            }
            case "backpressure": {
                BackpressurePolicy p = backpressure(scalar(v, key));
                return b -> b.backpressure(p);
            }
            case "highWaterBytes": {
                long high = number(v, key);
                long low = number(engine.get("lowWaterBytes"), "lowWaterBytes");
                return b -> b.watermarks(high, low);
            }
            case "maxTotalBufferedBytes": {
                long n = number(v, key);
                return b -> b.maxTotalBufferedBytes(n);
            }
            case "directReads": {
                boolean on = bool(v, key);
                return b -> b.directReads(on);
            }
            default:
                return null;
        }
    }

    private static BackpressurePolicy backpressure(String policy) {
        if ("pause".equals(policy)) {
            return BackpressurePolicy.PAUSE;
        }
        if ("fail".equals(policy)) {
            return BackpressurePolicy.FAIL;
        }
        throw new IllegalArgumentException("'backpressure' must be pause or fail, was '" + policy + "'");
    }
}
