package dev.courier.common;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON configuration of Courier's Kafka records: ISO-8601 instants, unknown properties ignored so that a newer
 * producer never breaks an older consumer, and missing numbers read as 0 so that an older producer never breaks a
 * newer consumer.
 */
public final class Json {

    public static final JsonMapper MAPPER = StrictJson.configure(JsonMapper.builder())
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // a number a record of an older producer lacks reads as 0 (as convSeq in records written before it)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private Json() {}
}
