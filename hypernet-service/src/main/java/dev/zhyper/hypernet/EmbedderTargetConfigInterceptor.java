package dev.zhyper.hypernet;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;

/**
 * Lets {@code zhyper.embedder.target=host:port} configure the gRPC client "embedder": when the target is not
 * {@code local}, {@code quarkus.grpc.clients.embedder.host} and {@code .port} are read from it (overriding their
 * values in application.properties). Registered in META-INF/services/io.smallrye.config.ConfigSourceInterceptor.
 */
@Priority(Priorities.APPLICATION + 100)
public class EmbedderTargetConfigInterceptor implements ConfigSourceInterceptor {

    static final String TARGET = "zhyper.embedder.target";
    static final String HOST = "quarkus.grpc.clients.embedder.host";
    static final String PORT = "quarkus.grpc.clients.embedder.port";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        if (HOST.equals(name) || PORT.equals(name)) {
            ConfigValue t = context.proceed(TARGET);
            String v = t == null || t.getValue() == null ? "" : t.getValue().trim();
            int i = v.lastIndexOf(':');
            if (!v.isEmpty() && !"local".equalsIgnoreCase(v) && i > 0 && i < v.length() - 1) {
                String part = HOST.equals(name) ? v.substring(0, i) : v.substring(i + 1);
                return t.from().withName(name).withValue(part).build();
            }
        }
        return context.proceed(name);
    }
}
