package dev.courier.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * A minimal HTTP/1.1 client connection (keep-alive, one request at a time, Content-Length or chunked answers). The
 * benchmark shares two cores with the servers it measures: this client spends a small fraction of the CPU of a
 * general-purpose one, and the same client drives Courier and the HTTP baseline.
 */
final class MiniHttp implements AutoCloseable {

    private final String host;

    private final int port;

    private Socket socket;

    private OutputStream out;

    private InputStream in;

    MiniHttp(URI base) {
        this.host = base.getHost();
        this.port = base.getPort();
    }

    /** An answer: status and body. */
    record Response(int status, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    Response post(String path, String token, byte[] body) throws IOException {
        return exchange("POST", path, token, body);
    }

    Response exchange(String method, String path, String token, byte[] body) throws IOException {
        return exchange(method, path, token, body, null);
    }

    /** A request with one more header line ({@code "Name: value"}), or none when {@code header} is null. */
    Response exchange(String method, String path, String token, byte[] body, String header) throws IOException {
        for (int attempt = 0; ; attempt++) {
            boolean fresh = socket == null;
            try {
                connect();
                StringBuilder head = new StringBuilder(256);
                head.append(method)
                        .append(' ')
                        .append(path)
                        .append(" HTTP/1.1\r\nHost: ")
                        .append(host)
                        .append(':')
                        .append(port)
                        .append("\r\n");
                if (token != null) {
                    head.append("Authorization: Bearer ").append(token).append("\r\n");
                }
                if (header != null) {
                    head.append(header).append("\r\n");
                }
                if (body != null) {
                    head.append("Content-Type: application/json\r\nContent-Length: ")
                            .append(body.length)
                            .append("\r\n");
                }
                head.append("\r\n");
                out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
                return read();
            } catch (IOException e) {
                close();
                // a kept-alive connection the server closed meanwhile: once more on a new one
                if (fresh || attempt > 0) {
                    throw e;
                }
            }
        }
    }

    private void connect() throws IOException {
        if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(60_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        }
    }

    private Response read() throws IOException {
        String status = line();
        if (status.length() < 12 || !status.startsWith("HTTP/1.1 ")) {
            throw new IOException("bad status line: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closing = false;
        for (String header = line(); !header.isEmpty(); header = line()) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(value);
            } else if (name.equalsIgnoreCase("Transfer-Encoding") && value.equalsIgnoreCase("chunked")) {
                chunked = true;
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                closing = true;
            }
        }
        byte[] body;
        if (code == 204 || code == 304 || code < 200) {
            // never a body (RFC 9112, 6.3), whatever the headers say
            body = new byte[0];
        } else if (chunked) {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().split(";")[0].trim(), 16);
                    size > 0;
                    size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                all.write(in.readNBytes(size));
                line();
            }
            while (!line().isEmpty()) {
                // trailers
            }
            body = all.toByteArray();
        } else if (length >= 0) {
            body = in.readNBytes((int) length);
            if (body.length < length) {
                throw new IOException("connection closed in a body");
            }
        } else {
            body = in.readAllBytes();
            closing = true;
        }
        if (closing) {
            close();
        }
        return new Response(code, body);
    }

    private String line() throws IOException {
        StringBuilder line = new StringBuilder(64);
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed");
            }
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }
}
