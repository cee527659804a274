package com.timestamps.interfaces.rest;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The body of every error answer. */
@Schema(name = "Error")
public record ErrorJson(
        @Schema(example = "invalid_idempotency_key") String error,
        String message,
        @Schema(example = "400") int status) {

    static Response.ResponseBuilder response(int status, String error, String message) {
        // an explicit type, so the body is JSON even when the client asked for something else (406)
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(new ErrorJson(error, message, status));
    }
}
