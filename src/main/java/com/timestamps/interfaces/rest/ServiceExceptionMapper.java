package com.timestamps.interfaces.rest;

import com.timestamps.application.DatabaseUnavailableException;
import com.timestamps.application.InvalidRequestException;
import com.timestamps.application.RecordNotFoundException;
import com.timestamps.application.ServiceException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

@Provider
public class ServiceExceptionMapper implements ExceptionMapper<ServiceException> {

    static final String RETRY_AFTER_SECONDS = "2";

    @Override
    public Response toResponse(ServiceException e) {
        if (e instanceof InvalidRequestException) {
            return ErrorJson.response(400, e.code(), e.getMessage()).build();
        }
        if (e instanceof RecordNotFoundException) {
            return ErrorJson.response(404, e.code(), e.getMessage()).build();
        }
        if (e instanceof DatabaseUnavailableException) {
            return ErrorJson.response(503, e.code(), "the database is unavailable, try again later")
                    .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                    .build();
        }
        return ErrorJson.response(500, e.code(), e.getMessage()).build();
    }
}
