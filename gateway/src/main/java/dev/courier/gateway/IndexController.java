package dev.courier.gateway;

import java.util.List;
import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /}: what this service is and what it offers. */
@RestController
class IndexController {

    @GetMapping("/")
    Map<String, Object> index() {
        return Map.of(
                "service",
                "courier-gateway",
                "protocol",
                "v1",
                "endpoints",
                List.of(
                        "POST /v1/accounts",
                        "POST /v1/sessions",
                        "POST /v1/groups",
                        "GET /v1/groups/{groupId}",
                        "POST /v1/groups/{groupId}/members",
                        "DELETE /v1/groups/{groupId}/members/{userId}",
                        "POST /v1/messages",
                        "GET /v1/conversations",
                        "GET /v1/conversations/{conversation}",
                        "PATCH /v1/conversations/{conversation}",
                        "POST /v1/conversations/{conversation}/read",
                        "GET /v1/conversations/{conversation}/messages",
                        "GET /v1/messages/{messageId}/receipts"));
    }
}
