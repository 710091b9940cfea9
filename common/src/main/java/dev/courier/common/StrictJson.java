package dev.courier.common;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;

/**
 * Courier reads JSON strictly: a string field takes only a JSON string of well-formed Unicode (no number, boolean or
 * lone surrogate), and an integer field only a JSON integer (no {@code 1.5}, no {@code "10"}). A mistyped value is a
 * clear {@code 400} naming the field, never silently coerced into something else.
 */
public final class StrictJson {

    private StrictJson() {}

    public static JsonMapper.Builder configure(JsonMapper.Builder builder) {
        return builder.addModule(new SimpleModule("courier-strict-json").addDeserializer(String.class, new Strings()))
                .withCoercionConfig(
                        LogicalType.Integer,
                        config -> config.setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(
                        LogicalType.Boolean,
                        config -> config.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                                .setCoercion(CoercionInputShape.String, CoercionAction.Fail));
    }

    private static final class Strings extends StdScalarDeserializer<String> {

        Strings() {
            super(String.class);
        }

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) {
            if (!parser.hasToken(JsonToken.VALUE_STRING)) {
                return (String) context.handleUnexpectedToken(String.class, parser);
            }
            String value = parser.getString();
            if (!Text.isWellFormed(value)) {
                throw InvalidFormatException.from(
                        parser, "not well-formed Unicode (a lone surrogate)", value, String.class);
            }
            return value;
        }
    }
}
