package dev.courier.testinfra.fuzz;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

import dev.courier.testinfra.fuzz.Fuzz.Expect;
import dev.courier.testinfra.fuzz.Fuzz.HttpCase;
import dev.courier.testinfra.fuzz.Fuzz.Req;
import dev.courier.testinfra.fuzz.Hostile.Value;

import static dev.courier.testinfra.fuzz.Hostile.abbreviate;
import static dev.courier.testinfra.fuzz.Hostile.encode;
import static dev.courier.testinfra.fuzz.Hostile.hostileSegments;
import static dev.courier.testinfra.fuzz.Hostile.utf8;

/**
 * HTTP cases that every service answers alike: its index under hostile requests, methods it does not take, hostile
 * tokens on an authenticated endpoint, hostile path segments, and bodies where none is read.
 */
public final class HttpCases {

    private HttpCases() {}

    /** {@code GET /} of the service at {@code base} with hostile queries, headers, bodies and paths. */
    public static List<HttpCase> indexCases(String endpoint, String base) {
        List<HttpCase> cases = new ArrayList<>();
        Map<String, Supplier<Req>> requests = new LinkedHashMap<>();
        requests.put("hostile query", () -> Req.plain("GET", base + "/?q=" + encode("' OR 1=1 --") + "&x=%00"));
        requests.put("query of 4,000 characters", () -> Req.plain("GET", base + "/?q=" + "q".repeat(4000)));
        requests.put(
                "Accept: application/xml", () -> Req.plain("GET", base + "/").withHeaders("Accept", "application/xml"));
        requests.put("Accept: garbage", () -> Req.plain("GET", base + "/").withHeaders("Accept", ";;;/;q=x"));
        requests.put(
                "Accept-Charset: bogus",
                () -> Req.plain("GET", base + "/").withHeaders("Accept-Charset", "bogus-charset"));
        requests.put("Range: bytes=999999-", () -> Req.plain("GET", base + "/").withHeaders("Range", "bytes=999999-"));
        requests.put(
                "malformed JSON body on GET",
                () -> new Req("GET", base + "/", null, utf8("{\"a\":"), "application/json", false, List.of()));
        requests.put("HEAD", () -> Req.plain("HEAD", base + "/"));
        requests.put("double slash", () -> Req.plain("GET", base + "//"));
        for (Map.Entry<String, Supplier<Req>> request : requests.entrySet()) {
            cases.add(new HttpCase(endpoint, request.getKey(), Expect.EITHER, 0, request.getValue(), null));
        }
        cases.add(new HttpCase(
                endpoint,
                "body of 200 KB on GET",
                Expect.REJECT,
                413,
                () -> new Req("GET", base + "/", null, utf8("x".repeat(200_000)), "application/json", false, List.of()),
                null));
        cases.add(new HttpCase(
                endpoint, "/index.html", Expect.REJECT, 0, () -> Req.plain("GET", base + "/index.html"), null));
        cases.add(new HttpCase(
                endpoint,
                "encoded traversal /%2e%2e/%2e%2e/etc/passwd",
                Expect.REJECT,
                0,
                () -> Req.plain("GET", base + "/%2e%2e/%2e%2e/etc/passwd"),
                null));
        cases.add(new HttpCase(endpoint, "/..;/", Expect.REJECT, 0, () -> Req.plain("GET", base + "/..;/"), null));
        return cases;
    }

    /**
     * A method the endpoint does not take, with a JSON body, as {@code token}'s device ({@code null}: no token).
     *
     * @param endpoint the method and the path template, {@code PUT /v1/messages}
     */
    public static HttpCase wrongMethod(String endpoint, String method, String url, String token) {
        return new HttpCase(endpoint, "wrong method", Expect.REJECT, 0, () -> Req.json(method, url, token, "{}"), null);
    }

    /** The same request with each of {@code authorizations} (label to header value; null: none): each refused, 401. */
    public static List<HttpCase> tokenCases(
            String endpoint, String method, String url, byte[] body, Map<String, String> authorizations) {
        List<HttpCase> cases = new ArrayList<>();
        authorizations.forEach((label, authorization) -> cases.add(new HttpCase(
                endpoint,
                "token: " + label,
                Expect.REJECT,
                401,
                () -> new Req(
                        method, url, authorization, body, body == null ? null : "application/json", false, List.of()),
                null)));
        return cases;
    }

    /**
     * Hostile path segments in place of {@code existing} (each must be refused or name nothing), and the existing id
     * with a path parameter, which the servlet container strips ({@code request}: the request with a segment).
     */
    public static List<HttpCase> pathCases(String endpoint, String existing, Function<String, Req> request) {
        List<HttpCase> cases = new ArrayList<>();
        for (Value segment : hostileSegments(existing)) {
            cases.add(new HttpCase(
                    endpoint,
                    "path " + segment.label() + " '" + abbreviate(segment.value(), 40) + "'",
                    Expect.REJECT,
                    0,
                    () -> request.apply(segment.value()),
                    null));
        }
        cases.add(new HttpCase(
                endpoint,
                "path parameter ';jsessionid=1' after an existing id",
                Expect.EITHER,
                0,
                () -> request.apply(existing + ";jsessionid=1"),
                null));
        return cases;
    }

    /** A malformed JSON body, an invalid UTF-8 body and a body over the limit, where the endpoint reads none. */
    public static List<HttpCase> bodiesWhereNoneIsRead(String endpoint, String method, String url, String token) {
        String authorization = Fuzz.bearer(token);
        return List.of(
                new HttpCase(
                        endpoint,
                        "a malformed JSON body",
                        Expect.EITHER,
                        0,
                        () -> new Req(
                                method, url, authorization, utf8("{\"a\":"), "application/json", false, List.of()),
                        null),
                new HttpCase(
                        endpoint,
                        "an invalid UTF-8 body",
                        Expect.EITHER,
                        0,
                        () -> new Req(
                                method,
                                url,
                                authorization,
                                Hostile.bytes(0xC3, 0x28, 0xFF),
                                "application/json",
                                false,
                                List.of()),
                        null),
                new HttpCase(
                        endpoint,
                        "a body of 200 KB",
                        Expect.REJECT,
                        413,
                        () -> new Req(
                                method, url, authorization, utf8("x".repeat(200_000)), "text/plain", false, List.of()),
                        null));
    }
}
