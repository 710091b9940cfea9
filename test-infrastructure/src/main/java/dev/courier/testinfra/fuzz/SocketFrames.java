package dev.courier.testinfra.fuzz;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.testinfra.client.RawWebSocket;
import dev.courier.testinfra.fuzz.Fuzz.Expect;
import dev.courier.testinfra.fuzz.Fuzz.FrameCase;
import dev.courier.testinfra.fuzz.Fuzz.HandshakeCase;
import dev.courier.testinfra.fuzz.Fuzz.RawFrameCase;
import dev.courier.testinfra.fuzz.Fuzz.SocketTarget;
import dev.courier.testinfra.fuzz.Hostile.Body;
import dev.courier.testinfra.fuzz.Hostile.Value;
import dev.courier.testinfra.fuzz.JsonBodies.Field;
import dev.courier.testinfra.fuzz.JsonBodies.Kind;

import static dev.courier.testinfra.fuzz.Hostile.INTEGERS;
import static dev.courier.testinfra.fuzz.Hostile.INVALID_UTF8;
import static dev.courier.testinfra.fuzz.Hostile.STRINGS;
import static dev.courier.testinfra.fuzz.Hostile.WRONG_TYPES;
import static dev.courier.testinfra.fuzz.Hostile.abbreviate;
import static dev.courier.testinfra.fuzz.Hostile.bytes;
import static dev.courier.testinfra.fuzz.Hostile.concat;
import static dev.courier.testinfra.fuzz.Hostile.encode;
import static dev.courier.testinfra.fuzz.Hostile.nestedArrays;
import static dev.courier.testinfra.fuzz.Hostile.nestedObjects;
import static dev.courier.testinfra.fuzz.Hostile.str;
import static dev.courier.testinfra.fuzz.Hostile.utf8;
import static dev.courier.testinfra.fuzz.JsonBodies.integerExpectation;

/**
 * The cases of a WebSocket endpoint: text frames that are malformed, not objects, of a wrong or hostile {@code type},
 * deeply nested or harmlessly odd, hostile values for each field of the endpoint's own frame ({@link #frameCases}),
 * frames only a raw client writes ({@link #rawFrameCases}) and hostile handshakes ({@link #handshakeCases}).
 */
public final class SocketFrames {

    private SocketFrames() {}

    /**
     * The text frame cases of an endpoint; the caller may add cases of its own to the list.
     *
     * @param token the device that sends them (one socket per kind of input)
     * @param valid a valid frame of the endpoint's own type
     * @param accepted checks an accepting answer to the frame sent
     * @param otherSocketsFrame a valid frame of the other WebSocket, which this one does not take
     * @param serverFrame a frame the server sends, which a client must not
     * @param fields the fields of the valid frame
     */
    public static List<FrameCase> frameCases(
            SocketTarget target,
            String token,
            Supplier<Body> valid,
            BiConsumer<JsonNode, ObjectNode> accepted,
            String otherSocketsFrame,
            String serverFrame,
            List<Field> fields) {
        List<FrameCase> cases = new ArrayList<>();
        String ping = "{\"type\":\"ping\"}";

        Map<String, String> malformed = new LinkedHashMap<>();
        malformed.put("truncated", ping.substring(0, 9));
        malformed.put("no closing brace", "{\"type\":\"ping\"");
        malformed.put("trailing garbage", ping + "garbage");
        malformed.put("two documents", ping + ping);
        malformed.put("block comment", "/* c */" + ping);
        malformed.put("line comment", "// c\n" + ping);
        malformed.put("single quotes", "{'type':'ping'}");
        malformed.put("unquoted keys", "{type:\"ping\"}");
        malformed.put("trailing comma", "{\"type\":\"ping\",}");
        malformed.put("NaN", "{\"type\":\"ping\",\"n\":NaN}");
        malformed.put("Infinity", "{\"type\":\"ping\",\"n\":Infinity}");
        malformed.put("invalid escape", "{\"type\":\"p\\qing\"}");
        malformed.put("unescaped control character", "{\"type\":\"ping\",\"x\":\"a\u0001b\"}");
        malformed.put("empty", "");
        malformed.put("whitespace", " \r\n\t ");
        malformed.put("NUL characters", "\u0000\u0000");
        malformed.forEach((label, text) ->
                cases.add(new FrameCase(target, "malformed JSON", label, Expect.REJECT, text, token, null)));

        Map<String, String> notObjects = new LinkedHashMap<>();
        notObjects.put("an array", "[]");
        notObjects.put("an array of a ping", "[" + ping + "]");
        notObjects.put("a string", "\"ping\"");
        notObjects.put("a number", "42");
        notObjects.put("a huge number", "1e999999");
        notObjects.put("a boolean", "true");
        notObjects.put("null", "null");
        notObjects.forEach((label, text) ->
                cases.add(new FrameCase(target, "not an object", label, Expect.REJECT, text, token, null)));

        Map<String, String> types = new LinkedHashMap<>();
        types.put("missing", "{}");
        types.put("number", "{\"type\":42}");
        types.put("boolean", "{\"type\":true}");
        types.put("null", "{\"type\":null}");
        types.put("array", "{\"type\":[\"ping\"]}");
        types.put("object", "{\"type\":{\"ping\":1}}");
        types.put("empty", "{\"type\":\"\"}");
        types.put("upper case", "{\"type\":\"PING\"}");
        types.put("padded", "{\"type\":\" ping \"}");
        types.put("with NUL", "{\"type\":\"ping\\u0000\"}");
        types.put("lone surrogate", "{\"type\":\"\\ud800\"}");
        types.put("SQL injection", "{\"type\":\"' OR 1=1 --\"}");
        types.put("script tag", "{\"type\":\"<script>alert(1)</script>\"}");
        types.put("JNDI lookup", "{\"type\":\"${jndi:ldap://x/a}\"}");
        types.put("__proto__", "{\"type\":\"__proto__\"}");
        types.put("pong", "{\"type\":\"pong\"}");
        types.put("error", "{\"type\":\"error\",\"status\":500}");
        types.put("the other socket's", otherSocketsFrame);
        types.put("a server frame's", serverFrame);
        types.put("60,000 characters", "{\"type\":\"" + "t".repeat(60_000) + "\"}");
        types.put("unknown with a lone-surrogate clientMsgId", "{\"type\":\"edit\",\"clientMsgId\":\"a\\ud800\"}");
        types.forEach((label, text) ->
                cases.add(new FrameCase(target, "type", "type " + label, Expect.REJECT, text, token, null)));

        cases.add(new FrameCase(
                target, "deep nesting", "5,000 nested arrays", Expect.REJECT, nestedArrays(5000), token, null));
        cases.add(new FrameCase(
                target, "deep nesting", "5,000 nested objects", Expect.REJECT, nestedObjects(5000), token, null));
        cases.add(new FrameCase(
                target,
                "deep nesting",
                "ping with 5,000 nested arrays",
                Expect.REJECT,
                "{\"type\":\"ping\",\"x\":" + nestedArrays(5000) + "}",
                token,
                null));
        cases.add(new FrameCase(
                target,
                "deep nesting",
                "ping with 5,000 nested objects",
                Expect.REJECT,
                "{\"type\":\"ping\",\"x\":" + nestedObjects(5000) + "}",
                token,
                null));
        cases.add(new FrameCase(
                target,
                "deep nesting",
                "ping with 400 nested arrays",
                Expect.EITHER,
                "{\"type\":\"ping\",\"x\":" + nestedArrays(400) + "}",
                token,
                null));

        Map<String, String> harmless = new LinkedHashMap<>();
        harmless.put("ping with a huge exponent", "{\"type\":\"ping\",\"n\":1e999999}");
        harmless.put("ping with 1,001 digits", "{\"type\":\"ping\",\"n\":" + "9".repeat(1001) + "}");
        harmless.put("ping with negative zero", "{\"type\":\"ping\",\"n\":-0}");
        harmless.put("ping with unknown fields", "{\"type\":\"ping\",\"isAdmin\":true,\"__proto__\":{\"a\":1}}");
        harmless.put(
                "ping with a field name of 60,000 characters", "{\"type\":\"ping\",\"" + "n".repeat(60_000) + "\":1}");
        harmless.put("ping with 60 KB of padding", "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(60 * 1024) + "\"}");
        harmless.put("duplicate type, ping last", "{\"type\":\"nope\",\"type\":\"ping\"}");
        harmless.put("ping with a byte order mark", "\uFEFF" + ping);
        harmless.forEach((label, text) ->
                cases.add(new FrameCase(target, "harmless extras", label, Expect.EITHER, text, token, null)));

        for (Field field : fields) {
            fieldFrames(target, token, field, valid, accepted, cases);
        }
        return cases;
    }

    /** The cases of one field of a frame: every value of the wrong JSON type, and every hostile value of its kind. */
    public static void fieldFrames(
            SocketTarget target,
            String token,
            Field field,
            Supplier<Body> valid,
            BiConsumer<JsonNode, ObjectNode> accepted,
            List<FrameCase> cases) {
        String kind = "field " + field.path();
        if (field.kind() == Kind.STRING) {
            for (Value wrong : WRONG_TYPES) {
                Expect expect = wrong.value().equals("null") && field.nullable() ? Expect.EITHER : Expect.REJECT;
                Body body = valid.get().with(field.path(), wrong.value());
                cases.add(new FrameCase(
                        target,
                        kind,
                        field.path() + " = " + wrong.label() + " " + abbreviate(wrong.value(), 20),
                        expect,
                        body.render(),
                        token,
                        verifyWith(accepted, body)));
            }
            for (Value hostile : STRINGS) {
                String value = field.prefix() + hostile.value();
                Expect expect = field.valid().test(value) ? Expect.EITHER : Expect.REJECT;
                Body body = valid.get().with(field.path(), str(value));
                cases.add(new FrameCase(
                        target,
                        kind,
                        field.path() + " = " + hostile.label(),
                        expect,
                        body.render(),
                        token,
                        verifyWith(accepted, body)));
            }
        } else {
            for (Value value : INTEGERS) {
                Body body = valid.get().with(field.path(), value.value());
                cases.add(new FrameCase(
                        target,
                        kind,
                        field.path() + " = " + value.label() + " " + abbreviate(value.value(), 24),
                        integerExpectation(value.value(), field),
                        body.render(),
                        token,
                        verifyWith(accepted, body)));
            }
        }
    }

    /** Checks an accepting answer to the frame {@code body} with {@code accepted}. */
    public static Consumer<JsonNode> verifyWith(BiConsumer<JsonNode, ObjectNode> accepted, Body body) {
        return answer -> accepted.accept(answer, body.parsed());
    }

    /** Frames only a raw client writes, each on a connection of its own as {@code token}'s device. */
    public static List<RawFrameCase> rawFrameCases(SocketTarget target, String token) {
        List<RawFrameCase> cases = new ArrayList<>();
        byte[] ping = utf8("{\"type\":\"ping\"}");
        cases.add(new RawFrameCase(
                target, token, "binary frame of a ping", s -> s.sendFrame(0x80 | RawWebSocket.BINARY, ping)));
        cases.add(new RawFrameCase(
                target,
                token,
                "binary frame of 70 KB",
                s -> s.sendFrame(0x80 | RawWebSocket.BINARY, new byte[70 * 1024])));
        cases.add(new RawFrameCase(
                target,
                token,
                "text frame of 65 KB",
                s -> s.sendFrame(
                        0x80 | RawWebSocket.TEXT,
                        utf8("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(65 * 1024) + "\"}"))));
        cases.add(new RawFrameCase(target, token, "text frame declaring 2^62 bytes, then 70 KB of them", s -> {
            ByteArrayOutputStream frame = new ByteArrayOutputStream();
            frame.write(0x80 | RawWebSocket.TEXT);
            frame.write(0x80 | 127);
            frame.writeBytes(new byte[] {0x40, 0, 0, 0, 0, 0, 0, 0});
            frame.writeBytes(new byte[] {0, 0, 0, 0});
            frame.writeBytes(utf8("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024)));
            s.sendBytes(frame.toByteArray());
        }));
        for (Map.Entry<String, byte[]> sequence : INVALID_UTF8.entrySet()) {
            cases.add(new RawFrameCase(
                    target,
                    token,
                    "invalid UTF-8 in a text frame: " + sequence.getKey(),
                    s -> s.sendFrame(
                            0x80 | RawWebSocket.TEXT,
                            concat(utf8("{\"type\":\"ping\",\"x\":\"a"), sequence.getValue(), utf8("b\"}")))));
        }
        cases.add(new RawFrameCase(target, token, "invalid UTF-8 split across fragments", s -> {
            s.sendFrame(RawWebSocket.TEXT, concat(utf8("{\"type\":\"ping\",\"x\":\""), bytes(0xE2)));
            s.sendFrame(0x80 | RawWebSocket.CONTINUATION, concat(bytes(0x28), utf8("\"}")));
        }));
        cases.add(new RawFrameCase(
                target, token, "unmasked text frame", s -> s.sendFrame(0x80 | RawWebSocket.TEXT, ping, false)));
        cases.add(new RawFrameCase(
                target,
                token,
                "reserved bit RSV1 without an extension",
                s -> s.sendFrame(0x80 | 0x40 | RawWebSocket.TEXT, ping)));
        cases.add(new RawFrameCase(target, token, "unknown data opcode 3", s -> s.sendFrame(0x80 | 0x3, ping)));
        cases.add(
                new RawFrameCase(target, token, "unknown control opcode B", s -> s.sendFrame(0x80 | 0xB, new byte[0])));
        cases.add(new RawFrameCase(
                target,
                token,
                "continuation without a first fragment",
                s -> s.sendFrame(0x80 | RawWebSocket.CONTINUATION, ping)));
        cases.add(new RawFrameCase(
                target, token, "fragmented ping control frame", s -> s.sendFrame(RawWebSocket.PING, new byte[1])));
        cases.add(new RawFrameCase(
                target,
                token,
                "ping control frame of 126 bytes",
                s -> s.sendFrame(0x80 | RawWebSocket.PING, new byte[126])));
        cases.add(new RawFrameCase(
                target,
                token,
                "close frame with code 999",
                s -> s.sendFrame(0x80 | RawWebSocket.CLOSE, bytes(0x03, 0xE7))));
        cases.add(new RawFrameCase(
                target, token, "close frame of one byte", s -> s.sendFrame(0x80 | RawWebSocket.CLOSE, bytes(0x03))));
        cases.add(new RawFrameCase(
                target,
                token,
                "close frame with an invalid UTF-8 reason",
                s -> s.sendFrame(0x80 | RawWebSocket.CLOSE, bytes(0x03, 0xE8, 0xC3, 0x28))));
        cases.add(new RawFrameCase(target, token, "new text frame inside a fragmented one", s -> {
            s.sendFrame(RawWebSocket.TEXT, utf8("{\"type\":"));
            s.sendFrame(0x80 | RawWebSocket.TEXT, ping);
        }));
        cases.add(new RawFrameCase(target, token, "ping split into three fragments (valid)", s -> {
            s.sendFrame(RawWebSocket.TEXT, utf8("{\"ty"));
            s.sendFrame(RawWebSocket.CONTINUATION, utf8("pe\":\"pi"));
            s.sendFrame(0x80 | RawWebSocket.CONTINUATION, utf8("ng\"}"));
        }));
        cases.add(new RawFrameCase(target, token, "ping with a character split across fragments (valid)", s -> {
            s.sendFrame(RawWebSocket.TEXT, concat(utf8("{\"type\":\"ping\",\"x\":\""), bytes(0xE2, 0x82)));
            s.sendFrame(0x80 | RawWebSocket.CONTINUATION, concat(bytes(0xAC), utf8("\"}")));
        }));
        return cases;
    }
    /**
     * Hostile handshakes of the endpoint.
     *
     * @param token a valid token, for the handshakes whose other parts are hostile
     * @param forgedToken a token that must be refused
     */
    public static List<HandshakeCase> handshakeCases(SocketTarget target, String token, String forgedToken) {
        List<HandshakeCase> cases = new ArrayList<>();
        String path = target.path();
        int port = target.port();
        cases.add(new HandshakeCase(target, "no token", Expect.REJECT, RawWebSocket.upgradeHead(port, path, null)));
        cases.add(new HandshakeCase(
                target, "Bearer SQL injection", Expect.REJECT, RawWebSocket.upgradeHead(port, path, "' OR 1=1 --")));
        cases.add(new HandshakeCase(
                target,
                "Bearer forged with alg none",
                Expect.REJECT,
                RawWebSocket.upgradeHead(port, path, forgedToken)));
        cases.add(new HandshakeCase(
                target,
                "access_token SQL injection",
                Expect.REJECT,
                RawWebSocket.upgradeHead(port, path + "?access_token=" + encode("' OR 1=1 --"), null)));
        cases.add(new HandshakeCase(
                target,
                "access_token encoded NUL",
                Expect.REJECT,
                RawWebSocket.upgradeHead(port, path + "?access_token=%00", null)));
        cases.add(new HandshakeCase(
                target,
                "access_token of 6,000 characters",
                Expect.REJECT,
                RawWebSocket.upgradeHead(port, path + "?access_token=" + "t".repeat(6000), null)));
        cases.add(new HandshakeCase(
                target,
                "access_token invalid percent-encoding %zz",
                Expect.REJECT,
                RawWebSocket.upgradeHead(port, path + "?access_token=%zz", null)));
        cases.add(new HandshakeCase(
                target,
                "valid Bearer and access_token=%zz",
                Expect.EITHER,
                RawWebSocket.upgradeHead(port, path + "?access_token=%zz", token)));
        cases.add(new HandshakeCase(
                target,
                "valid access_token twice with garbage",
                Expect.EITHER,
                RawWebSocket.upgradeHead(port, path + "?access_token=" + token + "&access_token=x", null)));
        cases.add(new HandshakeCase(
                target,
                "valid token, Sec-WebSocket-Version 99",
                Expect.REJECT,
                RawWebSocket.upgradeHead(port, path, token)
                        .replace("Sec-WebSocket-Version: 13", "Sec-WebSocket-Version: 99")));
        cases.add(new HandshakeCase(
                target,
                "valid token, no Sec-WebSocket-Key",
                Expect.REJECT,
                RawWebSocket.upgradeHead(port, path, token)
                        .replace("\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "")));
        cases.add(new HandshakeCase(
                target,
                "valid token, no Upgrade (a plain GET)",
                Expect.REJECT,
                "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nAuthorization: Bearer " + token));
        cases.add(new HandshakeCase(
                target,
                "valid token, Upgrade: h2c",
                Expect.REJECT,
                RawWebSocket.upgradeHead(port, path, token).replace("Upgrade: websocket", "Upgrade: h2c")));
        cases.add(new HandshakeCase(
                target,
                "valid token, POST",
                Expect.REJECT,
                RawWebSocket.upgradeHead(port, path, token).replace("GET ", "POST ") + "\r\nContent-Length: 0"));
        cases.add(new HandshakeCase(
                target,
                "valid token, Sec-WebSocket-Key 'x'",
                Expect.EITHER,
                RawWebSocket.upgradeHead(port, path, token).replace("dGhlIHNhbXBsZSBub25jZQ==", "x")));
        cases.add(new HandshakeCase(
                target,
                "valid token, hostile Sec-WebSocket-Protocol",
                Expect.EITHER,
                RawWebSocket.upgradeHead(port, path, token, "Sec-WebSocket-Protocol: ' OR 1=1 --, <script>")));
        cases.add(new HandshakeCase(
                target,
                "valid token, permessage-deflate window bits 99",
                Expect.EITHER,
                RawWebSocket.upgradeHead(
                        port, path, token, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=99")));
        cases.add(new HandshakeCase(
                target,
                "valid token, unknown extension",
                Expect.EITHER,
                RawWebSocket.upgradeHead(port, path, token, "Sec-WebSocket-Extensions: x-evil; a=\"b\"")));
        return cases;
    }
}
