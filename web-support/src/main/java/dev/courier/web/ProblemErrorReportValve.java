package dev.courier.web;

import java.io.IOException;
import java.io.OutputStream;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

/**
 * Requests the servlet container refuses before any servlet sees them (a malformed request line, an encoded slash or
 * NUL in the path, an oversized header, an HTTP version or a transfer encoding it does not support) are answered in the
 * same problem+json form as every other error, instead of Tomcat's HTML page.
 */
public final class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String detail = Problems.detailFor(status);
        try {
            response.setContentType("application/problem+json");
            response.setCharacterEncoding("UTF-8");
            OutputStream out = response.getOutputStream();
            out.write(Problems.json(Problems.codeFor(status), status, detail));
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the connection is gone: nothing to answer
        }
    }
}
