package dev.courier.web;

import java.io.IOException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

import dev.courier.common.ErrorCode;

/**
 * Limits request bodies before anything parses them: a declared {@code Content-Length} over the limit is answered
 * {@code 413 payload_too_large} at once, and a body without one (chunked) fails as soon as it passes the limit.
 */
final class BodySizeFilter extends OncePerRequestFilter {

    private final long maxBytes;

    BodySizeFilter(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            Problems.write(response, ErrorCode.PAYLOAD_TOO_LARGE, 413, message());
            return;
        }
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public ServletInputStream getInputStream() throws IOException {
                return new Limited(super.getInputStream());
            }
        }, response);
    }

    private String message() {
        return "body: at most " + maxBytes + " bytes are accepted";
    }

    /** The body passed the limit while it was read. */
    static final class TooLargeException extends IOException {

        private static final long serialVersionUID = 1L;

        TooLargeException(String message) {
            super(message);
        }
    }

    private final class Limited extends ServletInputStream {

        private final ServletInputStream in;

        private long read;

        Limited(ServletInputStream in) {
            this.in = in;
        }

        private int count(int n) throws IOException {
            if (n > 0) {
                read += n;
                if (read > maxBytes) {
                    throw new TooLargeException(message());
                }
            }
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            return count(in.read(buffer, offset, length));
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
