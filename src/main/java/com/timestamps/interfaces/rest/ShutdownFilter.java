package com.timestamps.interfaces.rest;

import com.timestamps.infrastructure.lifecycle.ShutdownSignal;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.PreMatching;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;

/**
 * While the instance shuts down, every new request is answered 503 before anything is read or
 * written, so a load balancer can safely send it to another instance; the connection is closed
 * so that the client does not reuse it.
 */
@Provider
@PreMatching
public class ShutdownFilter implements ContainerRequestFilter {

    @Inject
    ShutdownSignal shutdown;

    @Override
    public void filter(ContainerRequestContext request) {
        if (shutdown.isStopping()) {
            request.abortWith(ErrorJson.response(503, "shutting_down", "this instance is shutting down; retry")
                    .header(HttpHeaders.RETRY_AFTER, 1)
                    .header("Connection", "close")
                    .build());
        }
    }
}
