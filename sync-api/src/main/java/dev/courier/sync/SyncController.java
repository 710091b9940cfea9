package dev.courier.sync;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

import dev.courier.web.ApiException;
import dev.courier.web.Caller;

/** {@code POST /v1/sync}: the delta after a sync key, at once or, with {@code waitMs}, as a long poll. */
@RestController
class SyncController {

    static final int MAX_WAIT_MS = 30_000;

    private final SyncService sync;

    private final LongPolls longPolls;

    private final SyncProperties properties;

    SyncController(SyncService sync, LongPolls longPolls, SyncProperties properties) {
        this.sync = sync;
        this.longPolls = longPolls;
        this.properties = properties;
    }

    @PostMapping("/v1/sync")
    DeferredResult<SyncResponse> sync(
            Caller caller,
            @RequestBody(required = false) @Nullable SyncRequest request,
            @RequestParam(defaultValue = "0") long waitMs) {
        if (waitMs < 0 || waitMs > MAX_WAIT_MS) {
            throw ApiException.invalid("waitMs: must be between 0 and " + MAX_WAIT_MS);
        }
        int limit = properties.defaultLimit();
        String key = null;
        if (request != null) {
            if (request.limit() != null) {
                if (request.limit() < 1 || request.limit() > properties.maxLimit()) {
                    throw ApiException.invalid("limit: must be between 1 and " + properties.maxLimit());
                }
                limit = request.limit().intValue();
            }
            key = request.syncKey();
        }
        if (waitMs == 0) {
            DeferredResult<SyncResponse> now = new DeferredResult<>();
            now.setResult(sync.sync(caller, key, limit));
            return now;
        }
        return longPolls.poll(caller, key, limit, waitMs);
    }

    @GetMapping("/")
    Map<String, Object> index() {
        return Map.of(
                "service",
                "courier-sync-api",
                "protocol",
                "v1",
                "endpoints",
                List.of("POST /v1/sync?waitMs=", "GET /v1/stream (WebSocket)"));
    }

    record SyncRequest(@Nullable String syncKey, @Nullable Long limit) {}
}
