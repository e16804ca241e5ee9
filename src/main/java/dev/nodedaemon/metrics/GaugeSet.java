package dev.nodedaemon.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * One gauge name with any number of label sets. Each series reads a holder this set keeps a strong
 * reference to (Micrometer's own gauges hold their object weakly and would read NaN after a garbage
 * collection); a series leaves the registry when its labels are no longer wanted.
 */
final class GaugeSet {

  private final MeterRegistry registry;
  private final String name;
  private final String description;
  private final String unit;
  private final Map<Tags, Series> series = new ConcurrentHashMap<>();

  GaugeSet(MeterRegistry registry, String name, String description, String unit) {
    this.registry = registry;
    this.name = name;
    this.description = description;
    this.unit = unit;
  }

  void set(Tags tags, double value) {
    set(tags, () -> value);
  }

  /** A value read at scrape time, such as an age. */
  void set(Tags tags, DoubleSupplier value) {
    series(tags).set(value);
  }

  /**
   * The series of {@code tags}, registered if it is new: a caller that keeps it sets values without
   * a lookup, and removes it with {@link #remove} when its labels are no longer wanted.
   */
  Series series(Tags tags) {
    return series.computeIfAbsent(tags, this::register);
  }

  void remove(Tags tags) {
    Series removed = series.remove(tags);
    if (removed != null) {
      registry.remove(removed.gauge);
    }
  }

  /**
   * Makes the series that {@code owned} selects exactly {@code wanted}: the others it selects are
   * removed from the registry.
   */
  void retain(Predicate<Tags> owned, Set<Tags> wanted) {
    series
        .entrySet()
        .removeIf(
            entry -> {
              if (owned.test(entry.getKey()) && !wanted.contains(entry.getKey())) {
                registry.remove(entry.getValue().gauge);
                return true;
              }
              return false;
            });
  }

  void removeAll(Predicate<Tags> owned) {
    retain(owned, Set.of());
  }

  private Series register(Tags tags) {
    Series holder = new Series();
    holder.gauge =
        Gauge.builder(name, holder, h -> h.value.getAsDouble())
            .description(description)
            .baseUnit(unit)
            .tags(tags)
            .strongReference(true)
            .register(registry);
    return holder;
  }

  static final class Series {
    private volatile DoubleSupplier value = () -> Double.NaN;
    private Gauge gauge;

    void set(double constant) {
      value = () -> constant;
    }

    void set(DoubleSupplier supplier) {
      value = supplier;
    }
  }
}
