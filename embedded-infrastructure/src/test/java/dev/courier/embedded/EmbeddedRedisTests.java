package dev.courier.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddedRedisTests {

    @Test
    void answersPingAndStoresValues() throws Exception {
        try (EmbeddedRedis redis = EmbeddedRedis.start(0)) {
            assertThat(redis.url()).isEqualTo("redis://127.0.0.1:" + redis.port());
            try (Resp resp = new Resp(redis.port())) {
                assertThat(resp.command("PING")).isEqualTo("+PONG");
                assertThat(resp.command("SET", "greeting", "hello")).isEqualTo("+OK");
                assertThat(resp.command("GET", "greeting")).isEqualTo("$5");
                assertThat(resp.readLine()).isEqualTo("hello");
                // no persistence configured
                assertThat(resp.command("CONFIG", "GET", "save")).isEqualTo("*2");
                assertThat(resp.readLine()).isEqualTo("$4");
                assertThat(resp.readLine()).isEqualTo("save");
                assertThat(resp.readLine()).isEqualTo("$0");
                assertThat(resp.readLine()).isEmpty();
            }
        }
    }

    @Test
    void closeStopsTheServer() throws Exception {
        EmbeddedRedis redis = EmbeddedRedis.start(0);
        int port = redis.port();
        redis.close();
        redis.close(); // idempotent
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    /** Just enough of the Redis protocol (RESP) for the tests. */
    static final class Resp implements AutoCloseable {
        private final Socket socket;
        private final OutputStream out;
        private final BufferedReader in;

        Resp(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(10_000);
            out = socket.getOutputStream();
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        }

        /** Sends a command; returns the first line of the reply. */
        String command(String... parts) throws IOException {
            StringBuilder request = new StringBuilder("*").append(parts.length).append("\r\n");
            for (String part : parts) {
                request.append('$')
                        .append(part.getBytes(StandardCharsets.UTF_8).length)
                        .append("\r\n")
                        .append(part)
                        .append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readLine();
        }

        String readLine() throws IOException {
            return in.readLine();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
