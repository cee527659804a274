package com.timestamps.interfaces.rest;

import com.timestamps.application.PageRequest;
import com.timestamps.application.RecordingResult;
import com.timestamps.application.ServiceException;
import com.timestamps.application.TimestampRecordingService;
import com.timestamps.infrastructure.metrics.RecordingMetrics;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.metrics.Timer;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("app")
@Produces(MediaType.APPLICATION_JSON)
@RequestScoped
@Tag(name = "timestamps")
@APIResponse(responseCode = "406", description = "Accept does not allow application/json",
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorJson.class)))
@APIResponse(responseCode = "503", description = "Database unavailable; try again after Retry-After seconds",
        headers = @Header(name = HttpHeaders.RETRY_AFTER, schema = @Schema(type = SchemaType.INTEGER)),
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorJson.class)))
public class TimestampResource {

    static final String REPLAYED = "Idempotent-Replayed";

    @Inject
    TimestampRecordingService service;

    @Inject
    RecordingMetrics metrics;

    @Inject
    @ConfigProperty(name = "app.list.default-limit")
    int defaultLimit;

    @Inject
    @ConfigProperty(name = "app.list.max-limit")
    int maxLimit;

    @POST
    @Operation(summary = "Record the current time",
            description = "Takes the current UTC time once, stores it with microsecond precision and returns it"
                    + " exactly as stored. No request body is needed; a JSON body, if sent, is ignored."
                    + " Every POST has a request key: the Idempotency-Key header, else the X-Request-Id header"
                    + " the edge adds, else a generated one. A repeated key never stores a second record: it"
                    + " answers 201 with the record first stored for that key (same id, same timestamp) and"
                    + " Idempotent-Replayed: true. So a POST can be retried safely with the same key.")
    @APIResponse(responseCode = "201", description = "Recorded, or replayed for a repeated key",
            headers = {
                @Header(name = HttpHeaders.LOCATION, description = "/app/{id}", schema = @Schema(type = SchemaType.STRING)),
                @Header(name = REPLAYED, description = "true when the record was stored by an earlier request with the same key",
                        schema = @Schema(type = SchemaType.STRING, enumeration = "true"))
            },
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TimestampJson.class)))
    @APIResponse(responseCode = "400", description = "Invalid Idempotency-Key",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorJson.class)))
    @APIResponse(responseCode = "413", description = "Request body too large",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorJson.class)))
    @APIResponse(responseCode = "415", description = "Request body that is not JSON",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorJson.class)))
    public Response record(
            @Parameter(description = "Client-chosen key that makes the POST idempotent: 1 to 128 characters of"
                    + " A-Z a-z 0-9 . _ : - (case-sensitive). Reuse it only to retry the same request.",
                    schema = @Schema(type = SchemaType.STRING, pattern = "^[A-Za-z0-9._:-]{1,128}$"))
            @HeaderParam(RequestKeyHeaders.IDEMPOTENCY_KEY) String idempotencyKey,
            @Parameter(hidden = true) @HeaderParam(RequestKeyHeaders.REQUEST_ID) String requestId) {
        try (Timer.Context timer = metrics.timeRecording()) {
            RecordingResult result = service.record(RequestKeyHeaders.requestKey(idempotencyKey, requestId));
            metrics.recorded(result.replayed());
            Response.ResponseBuilder created = Response.status(Response.Status.CREATED)
                    .header(HttpHeaders.LOCATION, "/app/" + result.record().id())
                    .entity(TimestampJson.of(result.record()));
            if (result.replayed()) {
                created.header(REPLAYED, "true");
            }
            return created.build();
        } catch (ServiceException e) {
            metrics.failed(e.code());
            throw e;
        } catch (RuntimeException e) {
            metrics.failed("internal_error");
            throw e;
        }
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Read one timestamp")
    @APIResponse(responseCode = "200", description = "The timestamp",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = TimestampJson.class)))
    @APIResponse(responseCode = "404", description = "No timestamp with this id (also for a malformed id)",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorJson.class)))
    public TimestampJson get(@PathParam("id") String id) {
        return TimestampJson.of(service.find(id));
    }

    @GET
    @Operation(summary = "List timestamps, newest first",
            description = "Ordered by timestamp, then id, descending. Follow `next` until it is null.")
    @APIResponse(responseCode = "200", description = "One page",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = PageJson.class)))
    @APIResponse(responseCode = "400", description = "Invalid limit or cursor",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorJson.class)))
    public PageJson list(
            @Parameter(description = "Page size, 1 to app.list.max-limit (100 by default); 20 if absent",
                    schema = @Schema(type = SchemaType.INTEGER))
            @QueryParam("limit") String limit,
            @Parameter(description = "The `next` value of the previous page") @QueryParam("cursor") String cursor) {
        return PageJson.of(service.list(PageRequest.parse(limit, cursor, defaultLimit, maxLimit)));
    }
}
