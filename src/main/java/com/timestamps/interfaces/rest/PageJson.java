package com.timestamps.interfaces.rest;

import com.timestamps.application.Page;
import com.timestamps.application.PageCursor;
import jakarta.json.bind.annotation.JsonbNillable;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

@Schema(name = "TimestampPage", description = "Timestamps, newest first")
@JsonbNillable
public record PageJson(
        List<TimestampJson> items,
        @Schema(description = "Opaque cursor for the next page; null on the last page", nullable = true) String next) {

    static PageJson of(Page page) {
        return new PageJson(
                page.items().stream().map(TimestampJson::of).toList(),
                page.next().map(PageCursor::encode).orElse(null));
    }
}
