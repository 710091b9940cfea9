package dev.courier.bench.echo;

import java.time.Instant;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The HTTP baseline: the gateway's server stack (Spring Boot, Tomcat, virtual threads, Jackson, Courier's web support
 * filters, the gateway's settings file) with one trivial endpoint that reads a send's JSON and answers like an
 * accepted send, touching nothing else.
 */
@SpringBootApplication
public class EchoApplication {

    public static SpringApplicationBuilder builder() {
        return new SpringApplicationBuilder(EchoApplication.class)
                .properties("spring.config.name=gateway", "spring.application.name=courier-bench-echo");
    }

    @RestController
    static class EchoController {

        @PostMapping("/v1/echo")
        @ResponseStatus(HttpStatus.ACCEPTED)
        Echoed echo(@RequestBody Send send) {
            return new Echoed("m" + send.clientMsgId(), send.clientMsgId(), Instant.now());
        }
    }

    record Send(String clientMsgId, String to, String kind, JsonNode content) {}

    record Echoed(String messageId, String clientMsgId, Instant acceptedAt) {}
}
