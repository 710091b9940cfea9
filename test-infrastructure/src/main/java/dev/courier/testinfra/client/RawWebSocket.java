package dev.courier.testinfra.client;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A WebSocket client on a plain TCP socket, for what the JDK's client refuses to send: any handshake request (missing or
 * wrong upgrade headers, odd methods) and any frame (binary, invalid UTF-8, unmasked, reserved bits, unknown opcodes,
 * fragmented control frames). It reads the server's answer exactly: an HTTP status with headers and body, and frames
 * up to a close frame or the end of the connection, so a connection dropped without a close frame is told apart.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0;

    public static final int TEXT = 0x1;

    public static final int BINARY = 0x2;

    public static final int CLOSE = 0x8;

    public static final int PING = 0x9;

    public static final int PONG = 0xA;

    /** The handshake's answer: status, headers (names in lower case) and, unless switching protocols, the body. */
    public record Answer(int status, Map<String, String> headers, byte[] body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A frame from the server. */
    public record Frame(int opcode, byte[] payload) {

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The status code of a close frame, 1005 when it carries none. */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
    }

    private static final byte[] MASK = {0x37, (byte) 0xfa, 0x21, 0x3d};

    private final java.net.Socket socket;

    private final DataInputStream in;

    private final OutputStream out;

    public final Answer handshake;

    private RawWebSocket(java.net.Socket socket, Answer handshake) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.handshake = handshake;
    }

    /**
     * Sends {@code requestHead} (the request line and headers, without the final empty line) and reads the answer; a
     * {@code 101} leaves the connection open for frames, anything else is read to its end and closed.
     */
    public static RawWebSocket request(int port, String requestHead, Duration timeout) {
        return request(port, requestHead, new byte[0], timeout);
    }

    /**
     * Sends {@code requestHead} (ISO-8859-1, so that any byte can be written) and then {@code body}, and reads the
     * answer as {@link #request(int, String, Duration)} does.
     */
    public static RawWebSocket request(int port, String requestHead, byte[] body, Duration timeout) {
        java.net.Socket socket = new java.net.Socket();
        try {
            socket.connect(new InetSocketAddress("127.0.0.1", port), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            socket.getOutputStream().write((requestHead + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            InputStream input = socket.getInputStream();
            String head = readHead(input);
            String[] lines = head.split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(
                            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            lines[i].substring(colon + 1).trim());
                }
            }
            byte[] answerBody = status == 101 ? new byte[0] : readBody(input, headers);
            RawWebSocket raw = new RawWebSocket(socket, new Answer(status, headers, answerBody));
            if (status != 101) {
                raw.close();
            }
            return raw;
        } catch (IOException e) {
            closeQuietly(socket);
            throw new UncheckedIOException("no answer to the handshake on port " + port, e);
        }
    }

    /** A standard upgrade request with a bearer token ({@code null}: none) and any extra header lines. */
    public static String upgradeHead(int port, String pathAndQuery, String token, String... extraHeaderLines) {
        StringBuilder head = new StringBuilder("GET " + pathAndQuery + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13"
                + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==");
        if (token != null) {
            head.append("\r\nAuthorization: Bearer ").append(token);
        }
        for (String line : extraHeaderLines) {
            head.append("\r\n").append(line);
        }
        return head.toString();
    }

    /** Opens a socket; fails unless the handshake is accepted. */
    public static RawWebSocket open(int port, String path, String token, Duration timeout) {
        RawWebSocket raw = request(port, upgradeHead(port, path, token), timeout);
        if (raw.handshake.status() != 101) {
            throw new IllegalStateException("the handshake to " + path + " was answered " + raw.handshake.status()
                    + ": " + new String(raw.handshake.body(), StandardCharsets.UTF_8));
        }
        return raw;
    }

    /** Writes one frame: {@code firstByte} holds FIN, the reserved bits and the opcode; masked as clients must. */
    public void sendFrame(int firstByte, byte[] payload) throws IOException {
        sendFrame(firstByte, payload, true);
    }

    public void sendFrame(int firstByte, byte[] payload, boolean masked) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(maskBit | payload.length);
        } else if (payload.length <= 0xffff) {
            frame.write(maskBit | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        } else {
            frame.write(maskBit | 127);
            frame.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
        }
        if (masked) {
            frame.writeBytes(MASK);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ MASK[i % 4]);
            }
        } else {
            frame.writeBytes(payload);
        }
        sendBytes(frame.toByteArray());
    }

    /** Writes bytes as they are (a frame header that lies, half a frame, ...). */
    public void sendBytes(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /**
     * The next text or close frame from the server, answering its pings; {@code null} when the connection ended
     * without a close frame.
     *
     * @throws SocketTimeoutException when nothing arrives in time
     */
    public Frame next() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame == null) {
                return null;
            }
            if (frame.opcode() == PING) {
                sendFrame(0x80 | PONG, frame.payload());
                continue;
            }
            if (frame.opcode() == TEXT || frame.opcode() == CLOSE || frame.opcode() == BINARY) {
                return frame;
            }
        }
    }

    private Frame readFrame() throws IOException {
        int first;
        try {
            first = in.read();
        } catch (java.net.SocketException e) {
            return null; // reset by the server: ended without a close frame
        }
        if (first < 0) {
            return null;
        }
        try {
            int second = in.readUnsignedByte();
            long length = second & 0x7f;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            if ((second & 0x80) != 0) {
                in.readInt(); // servers do not mask, but a mask key would come here
            }
            byte[] payload = new byte[(int) length];
            in.readFully(payload);
            return new Frame(first & 0x0f, payload);
        } catch (EOFException | java.net.SocketException e) {
            return null;
        }
    }

    /** Sets how long {@link #next} waits. */
    public void timeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
    }

    @Override
    public void close() {
        closeQuietly(socket);
    }

    private static void closeQuietly(java.net.Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private static String readHead(InputStream input) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int next = input.read();
            if (next < 0) {
                throw new EOFException(
                        "the connection ended in the answer's head: " + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(next);
            matched = next == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : next == '\r' ? 1 : 0;
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readBody(InputStream input, Map<String, String> headers) throws IOException {
        String length = headers.get("content-length");
        if (length != null) {
            return new DataInputStream(input).readNBytes(Integer.parseInt(length));
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                StringBuilder line = new StringBuilder();
                int next;
                while ((next = input.read()) >= 0 && next != '\n') {
                    if (next != '\r') {
                        line.append((char) next);
                    }
                }
                int size = Integer.parseInt(line.toString().split(";")[0].trim(), 16);
                if (size == 0) {
                    return body.toByteArray();
                }
                body.writeBytes(new DataInputStream(input).readNBytes(size));
                input.read(); // CR
                input.read(); // LF
            }
        }
        if (!headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT).contains("close")) {
            return new byte[0]; // neither a length nor chunks, and the connection stays open: no body
        }
        try {
            return input.readAllBytes();
        } catch (SocketTimeoutException e) {
            return new byte[0];
        }
    }
}
