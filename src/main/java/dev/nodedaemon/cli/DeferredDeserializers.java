package dev.nodedaemon.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.AnnotationIntrospector;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.deser.CreatorProperty;
import com.fasterxml.jackson.databind.deser.SettableBeanProperty;
import com.fasterxml.jackson.databind.jsontype.TypeDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.util.AccessPattern;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A Jackson module for the plugin's Kubernetes client: a model property's deserializer is built
 * when a document first has a value for that property, not when the enclosing class's deserializer
 * is built.
 *
 * <p>Why (issue 14): Jackson builds a bean's deserializer together with those of every class its
 * properties reach, by reflection. For a NodeDaemon that is the whole pod template (containers,
 * probes, some thirty volume sources, affinity, ...): 182 deserializers and ~0.35 s of CPU in the
 * fresh JVM of every plugin call, where the sample fluentd-elasticsearch NodeDaemon needs 32.
 * Deferred, a call builds only what the objects it reads contain.
 *
 * <p>Invariant: a value is deserialized by the very deserializer Jackson would have given the
 * property (found and contextualised for that property as {@code BeanDeserializerBase.resolve}
 * does), only found later. Properties for which Jackson does more than that at resolve time keep
 * the eager path: those with a deserializer or converter named by an annotation, creator
 * (constructor) parameters, polymorphic, unwrapped and merged properties. Only fabric8's and
 * NodeDaemon's model classes and containers of them are deferred; JDK and Jackson types, whose
 * deserializers are cheap or shared, are not.
 */
final class DeferredDeserializers extends SimpleModule {

  DeferredDeserializers() {
    super("nodedaemon-deferred-deserializers");
    setDeserializerModifier(
        new BeanDeserializerModifier() {
          @Override
          public BeanDeserializerBuilder updateBuilder(
              DeserializationConfig config,
              BeanDescription description,
              BeanDeserializerBuilder builder) {
            AnnotationIntrospector annotations = config.getAnnotationIntrospector();
            List<SettableBeanProperty> deferrable = new ArrayList<>();
            builder
                .getProperties()
                .forEachRemaining(
                    property -> {
                      if (deferrable(property, annotations)) {
                        deferrable.add(property);
                      }
                    });
            for (SettableBeanProperty property : deferrable) {
              builder.addOrReplaceProperty(
                  property.withValueDeserializer(new Deferred(property.getType(), property)), true);
            }
            return builder;
          }
        });
  }

  private static boolean deferrable(
      SettableBeanProperty property, AnnotationIntrospector annotations) {
    if (property.hasValueDeserializer()
        || property.hasValueTypeDeserializer()
        || property instanceof CreatorProperty
        || property.getMetadata().getMergeInfo() != null
        || property.getMember() == null) {
      return false;
    }
    if (annotations != null
        && (annotations.findDeserializationConverter(property.getMember()) != null
            || annotations.findUnwrappingNameTransformer(property.getMember()) != null)) {
      return false;
    }
    return model(property.getType());
  }

  /** A fabric8 or NodeDaemon model class, or a list, map or array of them. */
  private static boolean model(JavaType type) {
    if (type.isContainerType()) {
      return type.getContentType() != null && model(type.getContentType());
    }
    Class<?> raw = type.getRawClass();
    if (raw.isPrimitive() || raw.isEnum()) {
      return false;
    }
    String name = raw.getName();
    return name.startsWith("io.fabric8.kubernetes.api.model.")
        || name.startsWith("dev.nodedaemon.api.");
  }

  /**
   * Stands for the deserializer of one property until the first value or null of it is read, then
   * hands everything to it.
   */
  static final class Deferred extends JsonDeserializer<Object> implements ContextualDeserializer {

    private final JavaType type;
    private final BeanProperty property;
    private volatile JsonDeserializer<Object> resolved;

    Deferred(JavaType type, BeanProperty property) {
      this.type = type;
      this.property = property;
    }

    @Override
    public JsonDeserializer<?> createContextual(
        DeserializationContext ctxt, BeanProperty property) {
      return property == this.property ? this : new Deferred(type, property);
    }

    /** What BeanDeserializerBase.resolve would have set: found, then contextualised. */
    @SuppressWarnings("unchecked")
    private JsonDeserializer<Object> delegate(DeserializationContext ctxt) throws IOException {
      JsonDeserializer<Object> deserializer = resolved;
      if (deserializer == null) {
        JsonDeserializer<?> found = ctxt.findNonContextualValueDeserializer(type);
        deserializer =
            (JsonDeserializer<Object>) ctxt.handlePrimaryContextualization(found, property, type);
        resolved = deserializer;
      }
      return deserializer;
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      return delegate(ctxt).deserialize(p, ctxt);
    }

    @Override
    public Object deserialize(JsonParser p, DeserializationContext ctxt, Object intoValue)
        throws IOException {
      return delegate(ctxt).deserialize(p, ctxt, intoValue);
    }

    @Override
    public Object deserializeWithType(
        JsonParser p, DeserializationContext ctxt, TypeDeserializer typeDeserializer)
        throws IOException {
      return delegate(ctxt).deserializeWithType(p, ctxt, typeDeserializer);
    }

    @Override
    public Object getNullValue(DeserializationContext ctxt) {
      try {
        return delegate(ctxt).getNullValue(ctxt);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    @Override
    public Object getEmptyValue(DeserializationContext ctxt) {
      try {
        return delegate(ctxt).getEmptyValue(ctxt);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    /** Asked without a context, before any value: the null value is the delegate's, each time. */
    @Override
    public AccessPattern getNullAccessPattern() {
      return AccessPattern.DYNAMIC;
    }

    @Override
    public AccessPattern getEmptyAccessPattern() {
      return AccessPattern.DYNAMIC;
    }

    @Override
    public Class<?> handledType() {
      return type.getRawClass();
    }
  }
}
