package dev.courier.web;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;

import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.courier.common.ErrorCode;

/**
 * Errors that never reach a controller (rejected by the servlet container, thrown in a filter) are answered in the
 * same problem+json form as all others. The error path requested directly is a path with nothing at it (404).
 */
@RestController
class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<Object> error(HttpServletRequest request) {
        if (request.getDispatcherType() != DispatcherType.ERROR) {
            // requested as it is, not dispatched by the container for an error: a path with nothing at it
            return Problems.response(
                    ErrorCode.NOT_FOUND, 404, "no such resource: " + request.getRequestURI(), HttpHeaders.EMPTY);
        }
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value ? value : 500;
        return Problems.response(Problems.codeFor(status), status, Problems.detailFor(status), HttpHeaders.EMPTY);
    }
}
