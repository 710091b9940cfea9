package dev.courier.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors that never reach a controller (rejected by the servlet container, thrown in a filter) are answered in the
 * same problem+json form as all others.
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<Object> error(HttpServletRequest request) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value ? value : 500;
        String detail = switch (status) {
            case 404 -> "no such resource";
            case 413 -> "the request body is too large";
            case 400 -> "the request is malformed";
            default -> status >= 500 ? "internal error" : "the request was rejected";
        };
        return Problems.response(Problems.codeFor(status), status, detail, HttpHeaders.EMPTY);
    }
}
