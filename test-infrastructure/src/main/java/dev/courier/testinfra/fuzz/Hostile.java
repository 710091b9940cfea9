package dev.courier.testinfra.fuzz;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.node.ObjectNode;

import dev.courier.common.Json;

/**
 * Hostile input for the fuzz tests ({@link Fuzz}): the tables of values (injection strings, odd Unicode, boundaries,
 * wrong JSON types, integers, invalid UTF-8, path segments) and the means to write any of them anywhere: JSON bodies
 * built from raw member text, string literals, percent-encoding, bytes.
 */
public final class Hostile {

    private Hostile() {}

    /** A named hostile value. */
    public record Value(String label, String value) {}

    /** Strings for every string field: injections, odd Unicode, boundaries and very long strings (under 128 KB). */
    public static final List<Value> STRINGS = List.of(
            new Value("SQL injection", "' OR 1=1 --"),
            new Value("SQL drop table", "\"; DROP TABLE accounts; --"),
            new Value("SQL union", "x' UNION SELECT password_hash FROM accounts WHERE '1'='1"),
            new Value("script tag", "<script>alert(1)</script>"),
            new Value("JNDI lookup", "${jndi:ldap://x/a}"),
            new Value("path traversal", "../../etc/passwd"),
            new Value("percent-encoded NUL", "%00"),
            new Value("NUL characters", "a\u0000b\u0000"),
            new Value("CRLF injection", "x\r\nSet-Cookie: a=b"),
            new Value("right-to-left override", "\u202Egnp.exe\u202C"),
            new Value("zero-width characters", "a\u200B\u200C\u200D\u2060\uFEFFb"),
            new Value("astral emoji", "\uD83D\uDE00\uD835\uDD4F\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08"),
            new Value(
                    "combining marks", "Z\u0324\u0354\u0367\u0311a\u0308\u0356\u032D\u0307l\u036E\u0312g\u030C\u0317"),
            new Value("lone surrogate", "a\uD800b"),
            new Value("template injection", "{{7*7}} #{7*7} <%= 7*7 %>"),
            new Value("format string", "%s%n%x%d%%"),
            new Value("quotes and backslashes", "\"'\\`\\\\\\u0000"),
            new Value("JSON in a string", "{\"type\":\"ping\"}"),
            new Value("the word null", "null"),
            new Value("whitespace only", " \t\n "),
            new Value("empty", ""),
            new Value("128 characters", "\u00E9".repeat(128)),
            new Value("64 emoji (128 UTF-16 units)", "\uD83D\uDE00".repeat(64)),
            new Value("129 characters", "x".repeat(129)),
            new Value("16,384 bytes of UTF-8", "\u00E9".repeat(8192)),
            new Value("16,385 bytes of UTF-8", "z".repeat(16_385)),
            new Value("100,000 characters", "y".repeat(100_000)));

    /** New passwords (8-72 bytes of UTF-8 are accepted): fewer than {@link #STRINGS}, each accepted one costs bcrypt. */
    public static final List<Value> PASSWORDS = List.of(
            new Value("SQL injection", "' OR 1=1 --"),
            new Value("NUL in the middle", "correct\u0000horse"),
            new Value("script tag", "<script>alert(1)</script>"),
            new Value("astral emoji", "\uD83D\uDE00\uD83D\uDE00pass"),
            new Value("lone surrogate", "pass\uD800word"),
            new Value("CRLF", "pass\r\nword"),
            new Value("right-to-left override", "\u202Epassword\u202C"),
            new Value("72 bytes of UTF-8", "\u00E9".repeat(36)),
            new Value("73 bytes of UTF-8", "\u00E9".repeat(36) + "x"),
            new Value("72 characters, 144 bytes", "\u00E9".repeat(72)),
            new Value("7 characters", "passwor"),
            new Value("empty", ""));

    /** Values of the wrong JSON type for a string field, as raw JSON. */
    public static final List<Value> WRONG_TYPES = List.of(
            new Value("number", "42"),
            new Value("float", "1.5"),
            new Value("huge exponent", "1e999999"),
            new Value("huge integer", "123456789012345678901234567890"),
            new Value("negative zero", "-0"),
            new Value("boolean", "true"),
            new Value("empty array", "[]"),
            new Value("array", "[\"x\"]"),
            new Value("empty object", "{}"),
            new Value("operator object", "{\"$ne\":null}"),
            new Value("null", "null"));

    /** Values of the wrong JSON type for a list field, as raw JSON. */
    public static final List<Value> WRONG_LIST_TYPES = List.of(
            new Value("string", "\"x\""),
            new Value("comma-separated string", "\"a,b\""),
            new Value("number", "42"),
            new Value("huge exponent", "1e999999"),
            new Value("boolean", "false"),
            new Value("object", "{\"0\":\"x\"}"),
            new Value("null", "null"),
            new Value("nested array", "[[\"x\"]]"),
            new Value("array of null", "[null]"),
            new Value("array of numbers", "[1e999999, -0]"),
            new Value("array of objects", "[{}]"));

    /** Values for an integer field, as raw JSON: whether each may be accepted depends on the field's range. */
    public static final List<Value> INTEGERS = List.of(
            new Value("small integer", "42"),
            new Value("float", "1.5"),
            new Value("integral float", "1.0"),
            new Value("exponent", "1e2"),
            new Value("huge exponent", "1e999999"),
            new Value("tiny exponent", "1e-999999"),
            new Value("huge integer", "123456789012345678901234567890"),
            new Value("long max", "9223372036854775807"),
            new Value("long max + 1", "9223372036854775808"),
            new Value("negative zero", "-0"),
            new Value("negative", "-1"),
            new Value("1,001 digits", "9".repeat(1001)),
            new Value("numeric string", "\"10\""),
            new Value("string NaN", "\"NaN\""),
            new Value("lone surrogate string", "\"\\ud800\""),
            new Value("boolean", "true"),
            new Value("array", "[1]"),
            new Value("object", "{\"value\":1}"),
            new Value("null", "null"));

    /** Values for a boolean field, as raw JSON: only {@code true} and {@code false} (and null where allowed) are one. */
    public static final List<Value> BOOLEANS = List.of(
            new Value("true", "true"),
            new Value("false", "false"),
            new Value("string true", "\"true\""),
            new Value("string false", "\"false\""),
            new Value("string yes", "\"yes\""),
            new Value("zero", "0"),
            new Value("one", "1"),
            new Value("float", "1.5"),
            new Value("empty array", "[]"),
            new Value("array of true", "[true]"),
            new Value("object", "{\"value\":true}"),
            new Value("null", "null"));

    /** Byte sequences that are not UTF-8. */
    public static final Map<String, byte[]> INVALID_UTF8 = invalidUtf8();

    private static Map<String, byte[]> invalidUtf8() {
        Map<String, byte[]> sequences = new LinkedHashMap<>();
        sequences.put("lone continuation byte 80", bytes(0x80));
        sequences.put("invalid 2-byte sequence C3 28", bytes(0xC3, 0x28));
        sequences.put("overlong slash C0 AF", bytes(0xC0, 0xAF));
        sequences.put("overlong NUL C0 80", bytes(0xC0, 0x80));
        sequences.put("UTF-16 surrogate ED A0 80", bytes(0xED, 0xA0, 0x80));
        sequences.put("above U+10FFFF F4 90 80 80", bytes(0xF4, 0x90, 0x80, 0x80));
        sequences.put("5-byte sequence F8 88 80 80 80", bytes(0xF8, 0x88, 0x80, 0x80, 0x80));
        sequences.put("byte FF", bytes(0xFF));
        sequences.put("truncated 3-byte sequence E2 82", bytes(0xE2, 0x82));
        return sequences;
    }

    /** Path segments, already percent-encoded, that name nothing that exists. */
    public static List<Value> hostileSegments(String existing) {
        return List.of(
                new Value("SQL injection", encode("' OR 1=1 --")),
                new Value("SQL drop table", encode("\"; DROP TABLE accounts; --")),
                new Value("script tag", encode("<script>alert(1)</script>")),
                new Value("JNDI lookup", encode("${jndi:ldap://x/a}")),
                new Value("encoded path traversal", "..%2F..%2Fetc%2Fpasswd"),
                new Value("encoded dot-dot", "%2E%2E"),
                new Value("encoded NUL", "a%00b"),
                new Value("literal %00", "%2500"),
                new Value("encoded backslash", "a%5Cb"),
                new Value("encoded semicolon", existing + "%3Bdrop"),
                new Value("right-to-left override", encode("\u202E" + existing)),
                new Value("zero-width space", encode(existing + "\u200B")),
                new Value("invalid UTF-8 %C3%28", "a%C3%28"),
                new Value("overlong UTF-8 %C0%AF", "a%C0%AF"),
                new Value("UTF-8 surrogate %ED%A0%80", "a%ED%A0%80"),
                new Value("upper case of an existing id", encode(existing.toUpperCase(Locale.ROOT))),
                new Value("Cyrillic look-alike", encode("\u0430" + existing.substring(1))),
                new Value("4,000 characters", "a".repeat(4000)),
                new Value("encoded space", "a%20b"),
                new Value("plus sign", existing + "+"),
                new Value("trailing slash", existing + "/"));
    }

    /** A JSON object whose member values are raw JSON text (or nested bodies), so anything can go anywhere. */
    public static final class Body {

        private final LinkedHashMap<String, Object> members;

        private Body(LinkedHashMap<String, Object> members) {
            this.members = members;
        }

        /** Keys and values: raw JSON text, or a {@link Body}. */
        public static Body of(Object... keysAndValues) {
            LinkedHashMap<String, Object> members = new LinkedHashMap<>();
            for (int i = 0; i < keysAndValues.length; i += 2) {
                members.put((String) keysAndValues[i], keysAndValues[i + 1]);
            }
            return new Body(members);
        }

        /** A copy with the member at {@code path} ("a" or "a.b") set to raw JSON text or a body. */
        public Body with(String path, Object value) {
            LinkedHashMap<String, Object> copy = new LinkedHashMap<>(members);
            int dot = path.indexOf('.');
            if (dot < 0) {
                copy.put(path, value);
            } else {
                String head = path.substring(0, dot);
                copy.put(head, ((Body) copy.get(head)).with(path.substring(dot + 1), value));
            }
            return new Body(copy);
        }

        public String firstKey() {
            return members.keySet().iterator().next();
        }

        public String raw(String key) {
            Object value = members.get(key);
            return value instanceof Body body ? body.render() : (String) value;
        }

        public String render() {
            StringBuilder json = new StringBuilder("{");
            members.forEach((key, value) -> json.append(json.length() > 1 ? "," : "")
                    .append(str(key))
                    .append(':')
                    .append(value instanceof Body body ? body.render() : value));
            return json.append('}').toString();
        }

        /** The members as the server reads them; members this mapper cannot read (unknown ones) are left out. */
        public ObjectNode parsed() {
            ObjectNode node = Json.MAPPER.createObjectNode();
            members.forEach((key, value) -> {
                try {
                    node.set(key, value instanceof Body body ? body.parsed() : Json.MAPPER.readTree((String) value));
                } catch (JacksonException e) {
                    // a number or nesting past the parser's limits, in a member no check looks at
                }
            });
            return node;
        }
    }

    /** A JSON string literal: quotes, backslashes, control characters and lone surrogates escaped, the rest as is. */
    public static String str(String value) {
        StringBuilder json = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean lone = Character.isHighSurrogate(c)
                            && !(i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1)))
                    || Character.isLowSurrogate(c) && !(i > 0 && Character.isHighSurrogate(value.charAt(i - 1)));
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20 || lone) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"').toString();
    }

    public static String nestedArrays(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    public static String nestedObjects(int depth) {
        return "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
    }

    /** Percent-encodes every byte of the UTF-8 form that is not unreserved (RFC 3986). */
    public static String encode(String value) {
        StringBuilder encoded = new StringBuilder();
        for (byte b : utf8(value)) {
            char c = (char) (b & 0xff);
            if (c < 0x80 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                encoded.append(c);
            } else {
                encoded.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return encoded.toString();
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    public static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    public static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    /** The text with every character outside printable ASCII written as {@code \\uXXXX}, so that reports show it. */
    public static String visible(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder shown = new StringBuilder();
        for (char c : text.toCharArray()) {
            shown.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return shown.length() > 2000
                ? shown.substring(0, 2000) + "...(" + shown.length() + " chars)"
                : shown.toString();
    }

    public static String abbreviate(String text, int max) {
        String flat = text.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
        return flat.length() <= max ? flat : flat.substring(0, max) + "...(" + flat.length() + " chars)";
    }
}
