package dev.courier.gateway.message;

import jakarta.validation.Valid;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.courier.web.Caller;

/** {@code POST /v1/messages}: 202 once the message is durably in the log. */
@RestController
class MessageController {

    private final SendService sends;

    MessageController(SendService sends) {
        this.sends = sends;
    }

    @PostMapping("/v1/messages")
    @ResponseStatus(HttpStatus.ACCEPTED)
    SendService.Accepted send(Caller caller, @Valid @RequestBody SendService.Send request) {
        return sends.send(caller, request);
    }
}
