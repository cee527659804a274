package com.timestamps.interfaces.rest;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/**
 * JAX-RS at the root of the context, so that every path of the application, also an unknown
 * one, is answered by JAX-RS and its JSON error mappers.
 */
@ApplicationPath("/")
@OpenAPIDefinition(info = @Info(
        title = "Timestamp service",
        version = "1",
        description = "Records the current UTC time with microsecond precision, exactly once per request key."))
public class RestApplication extends Application {

    @Override
    public Map<String, Object> getProperties() {
        // keep Location as /app/{id}: behind nginx the host and port this instance sees are not the client's
        return Map.of("jersey.config.server.headers.location.relative.resolution.disabled", true);
    }
}
