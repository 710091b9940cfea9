package dev.courier.testinfra.fuzz;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import tools.jackson.databind.node.ObjectNode;

import dev.courier.testinfra.fuzz.Fuzz.Answer;
import dev.courier.testinfra.fuzz.Fuzz.Expect;
import dev.courier.testinfra.fuzz.Fuzz.HttpCase;
import dev.courier.testinfra.fuzz.Fuzz.Req;
import dev.courier.testinfra.fuzz.Hostile.Body;
import dev.courier.testinfra.fuzz.Hostile.Value;

import static dev.courier.testinfra.fuzz.Hostile.BOOLEANS;
import static dev.courier.testinfra.fuzz.Hostile.INTEGERS;
import static dev.courier.testinfra.fuzz.Hostile.INVALID_UTF8;
import static dev.courier.testinfra.fuzz.Hostile.PASSWORDS;
import static dev.courier.testinfra.fuzz.Hostile.STRINGS;
import static dev.courier.testinfra.fuzz.Hostile.WRONG_LIST_TYPES;
import static dev.courier.testinfra.fuzz.Hostile.WRONG_TYPES;
import static dev.courier.testinfra.fuzz.Hostile.abbreviate;
import static dev.courier.testinfra.fuzz.Hostile.bytes;
import static dev.courier.testinfra.fuzz.Hostile.concat;
import static dev.courier.testinfra.fuzz.Hostile.nestedArrays;
import static dev.courier.testinfra.fuzz.Hostile.nestedObjects;
import static dev.courier.testinfra.fuzz.Hostile.str;
import static dev.courier.testinfra.fuzz.Hostile.utf8;

/**
 * The cases of an endpoint that takes a JSON body ({@link JsonEndpoint}): malformed JSON, invalid UTF-8, deep nesting,
 * huge numbers, unknown and server-owned fields, content types and sizes, and for each field every value of the wrong
 * JSON type and every hostile value of its kind ({@link Field}).
 */
public final class JsonBodies {

    public static final Pattern USER_ID = Pattern.compile("[a-z0-9._-]{1,64}");

    public static final Pattern DEVICE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public static final Pattern CLIENT_MSG_ID = Pattern.compile("[\\x21-\\x7E]{1,64}");

    private JsonBodies() {}

    /** A display name or group name: 1-128 characters. */
    public static boolean isName(String name) {
        return !name.isEmpty() && name.length() <= 128;
    }

    /** Text content of a message: 1 character to 16 KiB of UTF-8. */
    public static boolean isText(String text) {
        return !text.isEmpty() && utf8(text).length <= 16 * 1024;
    }

    /** What a field holds. */
    public enum Kind {
        STRING,
        /** a credential of a login: every hostile one that parses is a failed login, so few */
        CREDENTIAL,
        LIST,
        INTEGER,
        BOOLEAN
    }

    /**
     * A field of a JSON body and the rule the protocol gives it.
     *
     * @param valid whether a string value (with {@code prefix}) may be accepted
     * @param known an id that exists, for the hostile variants of a credential and the entries of a list of users
     */
    public record Field(
            String path,
            Kind kind,
            Predicate<String> valid,
            String prefix,
            boolean nullable,
            long min,
            long max,
            List<Value> strings,
            String known) {

        public static Field string(String path, Predicate<String> valid, boolean nullable) {
            return new Field(path, Kind.STRING, valid, "", nullable, 0, 0, STRINGS, "");
        }

        public static Field string(String path, String prefix, Predicate<String> valid) {
            return new Field(path, Kind.STRING, valid, prefix, false, 0, 0, STRINGS, "");
        }

        /** A new password: 8-72 bytes of UTF-8; each accepted one costs two bcrypt rounds, so a shorter table. */
        public static Field password(String path) {
            return new Field(
                    path,
                    Kind.STRING,
                    password -> password.length() >= 8 && utf8(password).length <= 72,
                    "",
                    false,
                    0,
                    0,
                    PASSWORDS,
                    "");
        }

        /** A credential of the user {@code userId}, who logs in with the endpoint's valid body. */
        public static Field credential(String path, String userId) {
            return new Field(path, Kind.CREDENTIAL, value -> false, "", false, 0, 0, List.of(), userId);
        }

        /** A list of user ids; {@code min} 0: may be empty; {@code userId} exists. */
        public static Field list(String path, int min, String userId) {
            return new Field(path, Kind.LIST, value -> false, "", false, min, 0, STRINGS, userId);
        }

        public static Field integer(String path, long min, long max, boolean nullable) {
            return new Field(path, Kind.INTEGER, value -> false, "", nullable, min, max, List.of(), "");
        }

        public static Field bool(String path, boolean nullable) {
            return new Field(path, Kind.BOOLEAN, value -> false, "", nullable, 0, 0, List.of(), "");
        }
    }

    /**
     * An endpoint taking a JSON body, a valid body for it, its fields, and how to check an accepted request.
     *
     * @param variant a prefix of the field names in the labels, for a second set of fields of one endpoint
     * @param token the caller's bearer token, {@code null} for none
     * @param textField the field the generic cases put text in; {@code null}: no generic cases
     * @param massAssignment adds server-owned fields to a valid body; {@code null}: none
     */
    public record JsonEndpoint(
            String endpoint,
            String variant,
            String method,
            String url,
            String token,
            Supplier<Body> valid,
            boolean bodyOptional,
            String textField,
            List<Field> fields,
            UnaryOperator<Body> massAssignment,
            BiConsumer<ObjectNode, Answer> verify) {}

    public static Stream<HttpCase> bodyCases(JsonEndpoint e) {
        List<HttpCase> cases = new ArrayList<>();
        if (e.textField() != null) {
            genericCases(e, cases);
        }
        for (Field field : e.fields()) {
            fieldCases(e, field, cases);
        }
        return cases.stream();
    }

    /** Malformed JSON, invalid UTF-8, deep nesting, huge numbers, unknown fields, content types and sizes. */
    private static void genericCases(JsonEndpoint e, List<HttpCase> cases) {
        String key = e.valid().get().firstKey();
        Expect emptyOk = e.bodyOptional() ? Expect.EITHER : Expect.REJECT;
        String k = "{\"" + key + "\":";
        record Malformed(String label, Expect expect, UnaryOperator<String> fromValid) {}
        List<Malformed> malformed = List.of(
                new Malformed("truncated", Expect.REJECT, v -> v.substring(0, v.length() / 2)),
                new Malformed("truncated after a key", Expect.REJECT, v -> k),
                new Malformed("only an opening brace", Expect.REJECT, v -> "{"),
                new Malformed("trailing garbage", Expect.REJECT, v -> v + "garbage"),
                new Malformed("two documents", Expect.REJECT, v -> v + v),
                new Malformed("an extra closing brace", Expect.REJECT, v -> v + "}"),
                new Malformed("NUL bytes after the document", Expect.REJECT, v -> v + "\0\0"),
                new Malformed("block comment", Expect.REJECT, v -> "/* c */" + v),
                new Malformed("line comment", Expect.REJECT, v -> "// c\n" + v),
                new Malformed("single quotes", Expect.REJECT, v -> v.replace('"', '\'')),
                new Malformed("unquoted keys", Expect.REJECT, v -> v.replaceAll("\"([A-Za-z]+)\":", "$1:")),
                new Malformed("trailing comma", Expect.REJECT, v -> v.substring(0, v.length() - 1) + ",}"),
                new Malformed("missing comma", Expect.REJECT, v -> k + "\"a\" \"x\":1}"),
                new Malformed("NaN", Expect.REJECT, v -> k + "NaN}"),
                new Malformed("Infinity", Expect.REJECT, v -> k + "Infinity}"),
                new Malformed("-Infinity", Expect.REJECT, v -> k + "-Infinity}"),
                new Malformed("invalid escape \\q", Expect.REJECT, v -> k + "\"\\q\"}"),
                new Malformed("unescaped control character", Expect.REJECT, v -> k + "\"a\u0001b\"}"),
                new Malformed("hex number", Expect.REJECT, v -> k + "0x10}"),
                new Malformed("leading zeros", Expect.REJECT, v -> k + "007}"),
                new Malformed("an array of the body", Expect.REJECT, v -> "[" + v + "]"),
                new Malformed("a string", Expect.REJECT, v -> "\"" + key + "\""),
                new Malformed("a number", Expect.REJECT, v -> "42"),
                new Malformed("a boolean", Expect.REJECT, v -> "true"),
                new Malformed("empty", emptyOk, v -> ""),
                new Malformed("whitespace", emptyOk, v -> " \r\n\t "),
                new Malformed("null", emptyOk, v -> "null"));
        for (Malformed m : malformed) {
            cases.add(bodyCase(
                    e,
                    m.label(),
                    m.expect(),
                    utf8(m.fromValid().apply(e.valid().get().render())),
                    "application/json",
                    false,
                    m.expect() == Expect.EITHER ? Body.of() : null));
        }
        Body duplicated = e.valid().get();
        String first = duplicated.render();
        cases.add(bodyCase(
                e,
                "duplicate keys",
                Expect.EITHER,
                utf8(first.substring(0, first.length() - 1) + ",\"" + key + "\":" + duplicated.raw(key) + "}"),
                "application/json",
                false,
                duplicated));
        Body bom = e.valid().get();
        cases.add(bodyCase(
                e,
                "UTF-8 byte order mark",
                Expect.EITHER,
                concat(bytes(0xEF, 0xBB, 0xBF), utf8(bom.render())),
                "application/json",
                false,
                bom));
        Body utf16 = e.valid().get();
        cases.add(bodyCase(
                e,
                "encoded in UTF-16",
                Expect.EITHER,
                utf16.render().getBytes(StandardCharsets.UTF_16LE),
                "application/json",
                false,
                utf16));

        // invalid UTF-8, as raw bytes in the body
        for (Map.Entry<String, byte[]> sequence : INVALID_UTF8.entrySet()) {
            Body body = e.valid().get();
            boolean list = e.fields().stream().anyMatch(f -> f.path().equals(e.textField()) && f.kind() == Kind.LIST);
            String marked =
                    body.with(e.textField(), list ? "[\"MARK\"]" : "\"MARK\"").render();
            int at = marked.indexOf("MARK");
            byte[] raw = concat(
                    utf8(marked.substring(0, at) + "a"), sequence.getValue(), utf8("b" + marked.substring(at + 4)));
            cases.add(bodyCase(
                    e,
                    "invalid UTF-8 in " + e.textField() + ": " + sequence.getKey(),
                    Expect.REJECT,
                    raw,
                    "application/json",
                    false,
                    null));
        }
        Body named = e.valid().get();
        String rendered = named.render();
        cases.add(bodyCase(
                e,
                "invalid UTF-8 in a field name",
                Expect.REJECT,
                concat(utf8("{\"a"), bytes(0xFF, 0xFE), utf8("b\":1," + rendered.substring(1))),
                "application/json",
                false,
                null));

        // deep nesting
        cases.add(bodyCase(
                e,
                "5,000 nested arrays, unterminated",
                Expect.REJECT,
                utf8("[".repeat(5000)),
                "application/json",
                false,
                null));
        cases.add(bodyCase(
                e, "5,000 nested arrays", Expect.REJECT, utf8(nestedArrays(5000)), "application/json", false, null));
        cases.add(bodyCase(
                e, "5,000 nested objects", Expect.REJECT, utf8(nestedObjects(5000)), "application/json", false, null));
        cases.add(bodyCase(
                e,
                "an unknown field of 5,000 nested arrays",
                Expect.REJECT,
                utf8(e.valid().get().with("deep", nestedArrays(5000)).render()),
                "application/json",
                false,
                null));
        cases.add(bodyCase(
                e,
                "an unknown field of 5,000 nested objects",
                Expect.REJECT,
                utf8(e.valid().get().with("deep", nestedObjects(5000)).render()),
                "application/json",
                false,
                null));
        cases.add(bodyCase(
                e,
                e.textField() + " of 5,000 nested arrays",
                Expect.REJECT,
                utf8(e.valid().get().with(e.textField(), nestedArrays(5000)).render()),
                "application/json",
                false,
                null));
        Body deepButFine = e.valid().get().with("deep", nestedArrays(400));
        cases.add(bodyCase(
                e,
                "an unknown field of 400 nested arrays",
                Expect.EITHER,
                utf8(deepButFine.render()),
                "application/json",
                false,
                deepButFine));

        // huge numbers and unknown fields, where they do no harm
        for (Value number : List.of(
                new Value("huge exponent", "1e999999"),
                new Value("tiny exponent", "1e-999999"),
                new Value("huge integer", "123456789012345678901234567890"),
                new Value("negative zero", "-0"),
                new Value("1,001 digits", "9".repeat(1001)))) {
            Body body = e.valid().get().with("n", number.value());
            cases.add(bodyCase(
                    e,
                    "an unknown field holding a " + number.label(),
                    Expect.EITHER,
                    utf8(body.render()),
                    "application/json",
                    false,
                    body));
        }
        List<UnaryOperator<Body>> unknowns = new ArrayList<>(List.of(
                body -> body.with("isAdmin", "true").with("role", str("admin")),
                body -> body.with("__proto__", "{\"isAdmin\":true}")
                        .with("constructor", "{\"prototype\":{\"isAdmin\":true}}"),
                body -> body.with("x".repeat(60_000), "1"),
                body -> body.with("pad", str("p".repeat(120_000)))));
        List<String> unknownLabels = new ArrayList<>(List.of(
                "unknown fields isAdmin and role",
                "prototype pollution fields",
                "an unknown field with a name of 60,000 characters",
                "an unknown field of 120,000 characters (under the body limit)"));
        if (e.massAssignment() != null) {
            unknowns.add(e.massAssignment());
            unknownLabels.add("server-owned fields (mass assignment)");
        }
        for (int i = 0; i < unknowns.size(); i++) {
            Body body = unknowns.get(i).apply(e.valid().get());
            cases.add(bodyCase(
                    e, unknownLabels.get(i), Expect.EITHER, utf8(body.render()), "application/json", false, body));
        }

        // content types
        Map<String, Expect> contentTypes = new LinkedHashMap<>();
        contentTypes.put(null, Expect.REJECT);
        contentTypes.put("text/plain", Expect.REJECT);
        contentTypes.put("application/x-www-form-urlencoded", Expect.REJECT);
        contentTypes.put("multipart/form-data; boundary=x", Expect.REJECT);
        contentTypes.put("application/xml", Expect.REJECT);
        contentTypes.put("application/json; charset=bogus", Expect.REJECT);
        contentTypes.put("application/json; charset=UTF-16", Expect.EITHER); // Jackson detects the UTF-8 itself
        contentTypes.put("*/*", Expect.REJECT);
        contentTypes.put("application/json;;;", Expect.EITHER);
        contentTypes.put("application/problem+json", Expect.EITHER);
        contentTypes.put("APPLICATION/JSON", Expect.EITHER);
        contentTypes.put("application/json; charset=ISO-8859-1", Expect.EITHER);
        contentTypes.put("application/vnd.courier+json", Expect.EITHER);
        contentTypes.forEach((type, expect) -> {
            Body body = e.valid().get();
            cases.add(bodyCase(
                    e,
                    "Content-Type " + (type == null ? "missing" : type),
                    expect,
                    utf8(body.render()),
                    type,
                    false,
                    body));
        });

        // sizes
        cases.add(bodyCase(
                e,
                "body of 200 KB with its length declared",
                Expect.REJECT,
                413,
                utf8(e.valid().get().with("pad", str("p".repeat(200_000))).render()),
                "application/json",
                false,
                null));
        cases.add(bodyCase(
                e,
                "body of 200 KB chunked, without a length",
                Expect.REJECT,
                413,
                utf8(e.valid().get().with("pad", str("p".repeat(200_000))).render()),
                "application/json",
                true,
                null));
    }

    /** Wrong types and hostile strings for one field. */
    private static void fieldCases(JsonEndpoint e, Field field, List<HttpCase> cases) {
        String name = e.variant() + field.path();
        switch (field.kind()) {
            case STRING -> {
                for (Value wrong : WRONG_TYPES) {
                    Expect expect = wrong.value().equals("null") && field.nullable() ? Expect.EITHER : Expect.REJECT;
                    Body body = e.valid().get().with(field.path(), wrong.value());
                    cases.add(bodyCase(
                            e,
                            name + " = " + wrong.label() + " " + abbreviate(wrong.value(), 20),
                            expect,
                            utf8(body.render()),
                            "application/json",
                            false,
                            body));
                }
                for (Value hostile : field.strings()) {
                    String value = field.prefix() + hostile.value();
                    Expect expect = field.valid().test(value) ? Expect.EITHER : Expect.REJECT;
                    Body body = e.valid().get().with(field.path(), str(value));
                    cases.add(bodyCase(
                            e,
                            name + " = " + hostile.label(),
                            expect,
                            utf8(body.render()),
                            "application/json",
                            false,
                            body));
                }
            }
            case CREDENTIAL -> {
                // every hostile credential that parses is a failed login: few, within the limits of 10 per user and
                // 50 per address (429 rate_limited would be a fine answer too)
                for (Value wrong : List.of(
                        new Value("empty array", "[]"),
                        new Value("object", "{\"$ne\":null}"),
                        new Value("null", "null"))) {
                    Body body = e.valid().get().with(field.path(), wrong.value());
                    cases.add(bodyCase(
                            e,
                            name + " = " + wrong.label(),
                            Expect.REJECT,
                            utf8(body.render()),
                            "application/json",
                            false,
                            null));
                }
                List<Value> hostile = field.path().equals("userId")
                        ? List.of(
                                new Value("SQL injection", "' OR 1=1 --"),
                                new Value("a number", "42"),
                                new Value(
                                        "the upper-case id of a user",
                                        field.known().toUpperCase(Locale.ROOT)),
                                new Value("a user id with a NUL", field.known() + "\u0000"),
                                new Value(
                                        "a user id with a Cyrillic letter",
                                        "\u0430" + field.known().substring(1)),
                                new Value("a user id of 10,000 characters", "u".repeat(10_000)))
                        : List.of(new Value("SQL injection", "' OR '1'='1"), new Value("a boolean", "true"));
                for (Value value : hostile) {
                    String raw = value.label().startsWith("a number")
                                    || value.label().startsWith("a boolean")
                            ? value.value()
                            : str(value.value());
                    Body body = e.valid().get().with(field.path(), raw);
                    cases.add(bodyCase(
                            e,
                            name + " = " + value.label() + " (a failed login)",
                            Expect.REJECT,
                            utf8(body.render()),
                            "application/json",
                            false,
                            null));
                }
            }
            case LIST -> {
                for (Value wrong : WRONG_LIST_TYPES) {
                    Body body = e.valid().get().with(field.path(), wrong.value());
                    cases.add(bodyCase(
                            e,
                            name + " = " + wrong.label() + " " + abbreviate(wrong.value(), 20),
                            Expect.REJECT,
                            utf8(body.render()),
                            "application/json",
                            false,
                            null));
                }
                Body empty = e.valid().get().with(field.path(), "[]");
                cases.add(bodyCase(
                        e,
                        name + " = []",
                        field.min() == 0 ? Expect.EITHER : Expect.REJECT,
                        utf8(empty.render()),
                        "application/json",
                        false,
                        empty));
                Body twice =
                        e.valid().get().with(field.path(), "[" + str(field.known()) + "," + str(field.known()) + "]");
                cases.add(bodyCase(
                        e,
                        name + " = the same user twice",
                        Expect.EITHER,
                        utf8(twice.render()),
                        "application/json",
                        false,
                        twice));
                StringBuilder many = new StringBuilder("[");
                for (int i = 0; i <= 10_000; i++) {
                    many.append(i == 0 ? "" : ",").append(str(field.known()));
                }
                Body tooMany =
                        e.valid().get().with(field.path(), many.append(']').toString());
                cases.add(bodyCase(
                        e,
                        name + " = 10,001 entries",
                        Expect.REJECT,
                        utf8(tooMany.render()),
                        "application/json",
                        false,
                        null));
                for (Value hostile : STRINGS) {
                    Expect expect = USER_ID.matcher(hostile.value()).matches() ? Expect.EITHER : Expect.REJECT;
                    Body body = e.valid().get().with(field.path(), "[" + str(hostile.value()) + "]");
                    cases.add(bodyCase(
                            e,
                            name + "[0] = " + hostile.label(),
                            expect,
                            utf8(body.render()),
                            "application/json",
                            false,
                            body));
                }
            }
            case INTEGER -> {
                for (Value value : INTEGERS) {
                    Expect expect = integerExpectation(value.value(), field);
                    Body body = e.valid().get().with(field.path(), value.value());
                    cases.add(bodyCase(
                            e,
                            name + " = " + value.label() + " " + abbreviate(value.value(), 24),
                            expect,
                            utf8(body.render()),
                            "application/json",
                            false,
                            body));
                }
            }
            case BOOLEAN -> {
                for (Value value : BOOLEANS) {
                    boolean valid = value.value().equals("true")
                            || value.value().equals("false")
                            || value.value().equals("null") && field.nullable();
                    Body body = e.valid().get().with(field.path(), value.value());
                    cases.add(bodyCase(
                            e,
                            name + " = " + value.label(),
                            valid ? Expect.EITHER : Expect.REJECT,
                            utf8(body.render()),
                            "application/json",
                            false,
                            body));
                }
            }
        }
    }

    /** An integer literal in range may be accepted, so may an integral float; anything else must be refused. */
    public static Expect integerExpectation(String raw, Field field) {
        if (raw.equals("null")) {
            return field.nullable() ? Expect.EITHER : Expect.REJECT;
        }
        if (!raw.matches("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?") || raw.length() > 100) {
            return Expect.REJECT;
        }
        BigDecimal value = new BigDecimal(raw);
        boolean integral = value.signum() == 0 || value.stripTrailingZeros().scale() <= 0;
        boolean inRange = value.compareTo(BigDecimal.valueOf(field.min())) >= 0
                && value.compareTo(BigDecimal.valueOf(field.max())) <= 0;
        return integral && inRange ? Expect.EITHER : Expect.REJECT;
    }

    private static HttpCase bodyCase(
            JsonEndpoint e, String label, Expect expect, byte[] body, String contentType, boolean chunked, Body sent) {
        return bodyCase(e, label, expect, 0, body, contentType, chunked, sent);
    }

    private static HttpCase bodyCase(
            JsonEndpoint e,
            String label,
            Expect expect,
            int status,
            byte[] body,
            String contentType,
            boolean chunked,
            Body sent) {
        Consumer<Answer> verify = sent == null ? null : answer -> e.verify().accept(sent.parsed(), answer);
        return new HttpCase(
                e.endpoint(),
                label,
                expect,
                status,
                () -> new Req(
                        e.method(),
                        e.url(),
                        e.token() == null ? null : Fuzz.bearer(e.token()),
                        body,
                        contentType,
                        chunked,
                        List.of()),
                verify);
    }
}
