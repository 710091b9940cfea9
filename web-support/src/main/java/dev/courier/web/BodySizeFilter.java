package dev.courier.web;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.courier.common.ErrorCode;

/**
 * Checks request bodies before anything parses them: a declared {@code Content-Length} over the limit is answered
 * {@code 413 payload_too_large} at once, and a body without one (chunked) fails as soon as it passes the limit; a
 * {@code Content-Type} that is not one concrete type is {@code 415}; a JSON body that is not strict UTF-8 is
 * {@code 400}.
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
        String contentType = request.getContentType();
        if (contentType != null && !isConcrete(contentType)) {
            Problems.write(response, ErrorCode.INVALID_REQUEST, 415, "Content-Type: must be application/json");
            return;
        }
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            chain.doFilter(limited(request), response);
            return;
        }
        // JSON bodies are small: read them whole (within the limit) and refuse bytes that are not strict UTF-8,
        // which a lenient decoder would turn into other characters (an overlong "/" for example)
        byte[] body;
        try {
            body = new Limited(request.getInputStream()).readAllBytes();
        } catch (TooLargeException e) {
            Problems.write(response, ErrorCode.PAYLOAD_TOO_LARGE, 413, message());
            return;
        }
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
        } catch (CharacterCodingException e) {
            Problems.write(response, ErrorCode.INVALID_REQUEST, 400, "body: is not valid UTF-8");
            return;
        }
        chain.doFilter(
                new HttpServletRequestWrapper(request) {
                    @Override
                    public ServletInputStream getInputStream() {
                        return new Buffered(body);
                    }

                    @Override
                    public BufferedReader getReader() {
                        return new BufferedReader(
                                new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
                    }
                },
                response);
    }

    private HttpServletRequestWrapper limited(HttpServletRequest request) {
        return new HttpServletRequestWrapper(request) {
            @Override
            public ServletInputStream getInputStream() throws IOException {
                return new Limited(super.getInputStream());
            }
        };
    }

    private static boolean isConcrete(String contentType) {
        try {
            MediaType type = MediaType.parseMediaType(contentType);
            return !type.isWildcardType() && !type.isWildcardSubtype();
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }

    private static final class Buffered extends ServletInputStream {

        private final ByteArrayInputStream in;

        Buffered(byte[] body) {
            this.in = new ByteArrayInputStream(body);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            return in.read(buffer, offset, length);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
            throw new UnsupportedOperationException("the body was read already");
        }
    }

    private String message() {
        return "body: at most " + maxBytes + " bytes are accepted";
    }

    /** The body passed the limit while it was read. */
    static final class TooLargeException extends IOException {

        private static final long serialVersionUID = 1L;

        /** Never null: every constructor sets the message. */
        @Override
        public String getMessage() {
            return String.valueOf(super.getMessage());
        }

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
