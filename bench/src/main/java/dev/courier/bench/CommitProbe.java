package dev.courier.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.courier.fanout.inbox.InboxCommitListener;

/**
 * Added to the fanout-worker the benchmark starts: after each inbox commit it tells the benchmark, over a loopback TCP
 * connection, the commit time (wall clock, microseconds) and how many rows of each message the batch wrote. The
 * benchmark knows when it sent each message and how many inboxes it goes to, hence send → inbox committed exactly.
 *
 * <p>Lines: {@code C <micros> <messages>} then one {@code <messageId> <rows>} per message.
 */
@Configuration(proxyBeanMethods = false)
class CommitProbe {

    private static final Logger log = LoggerFactory.getLogger(CommitProbe.class);

    @Bean
    InboxCommitListener benchCommitProbe(@Value("${courier.bench.probe-port}") int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        return new InboxCommitListener() {

            @Override
            public void committed(Map<String, Long> heads) {
                // only the rows matter here
            }

            @Override
            public void committed(Map<String, Long> heads, List<Row> rows) {
                Instant now = Instant.now();
                long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
                Map<String, Integer> perMessage = new LinkedHashMap<>();
                for (Row row : rows) {
                    perMessage.merge(row.messageId(), 1, Integer::sum);
                }
                StringBuilder lines = new StringBuilder(32 + perMessage.size() * 40);
                lines.append("C ")
                        .append(micros)
                        .append(' ')
                        .append(perMessage.size())
                        .append('\n');
                perMessage.forEach((id, count) ->
                        lines.append(id).append(' ').append(count).append('\n'));
                synchronized (out) {
                    try {
                        out.write(lines.toString().getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    } catch (IOException e) {
                        log.warn("Benchmark probe: {}", e.toString());
                    }
                }
            }
        };
    }
}
