package com.timestamps.interfaces.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Request bodies, which no resource needs: at most {@code app.request.max-body-bytes} (else 413)
 * and JSON (else 415). Runs after matching, so unknown paths and methods answer 404 and 405 first.
 */
@Provider
public class RequestBodyFilter implements ContainerRequestFilter {

    @Inject
    @ConfigProperty(name = "app.request.max-body-bytes")
    int maxBodyBytes;

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        if (isTooLarge(request)) {
            request.abortWith(ErrorJson.response(413, "payload_too_large",
                    "request body larger than " + maxBodyBytes + " bytes").build());
        } else if (request.hasEntity() && !isJson(request.getMediaType())) {
            request.abortWith(ErrorJson.response(415, "unsupported_media_type",
                    "a request body must be application/json").build());
        }
    }

    private boolean isTooLarge(ContainerRequestContext request) throws IOException {
        int declared = request.getLength();
        if (declared >= 0) {
            return declared > maxBodyBytes;
        }
        if (!request.hasEntity()) {
            return false;
        }
        // chunked: read up to one byte past the limit, and hand on what was read
        byte[] head = request.getEntityStream().readNBytes(maxBodyBytes + 1);
        request.setEntityStream(new ByteArrayInputStream(head));
        return head.length > maxBodyBytes;
    }

    private static boolean isJson(MediaType type) {
        return type != null && type.getType().equals("application")
                && (type.getSubtype().equals("json") || type.getSubtype().endsWith("+json"));
    }
}
