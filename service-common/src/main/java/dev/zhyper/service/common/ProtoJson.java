package dev.zhyper.service.common;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.zhyper.proto.Topics;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.function.Supplier;

/**
 * JSON codec of Zhyper's Kafka events: the protobuf JSON mapping ({@link JsonFormat}), UTF-8, compact. Decoding
 * ignores unknown fields (forward compatibility), rejects malformed UTF-8/JSON and a {@code schema_version} newer
 * than {@link Topics#SCHEMA_VERSION} with an {@link EventDecodeException} (→ dead-letter queue).
 *
 * <pre>{@code
 * byte[] json = ProtoJson.encode(ContextEvent.newBuilder().setSchemaVersion(1).setDescription("...").build());
 * ContextEvent e = ProtoJson.decode(json, ContextEvent::newBuilder);
 * }</pre>
 */
public final class ProtoJson {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private ProtoJson() {}

    /** The message as compact JSON text. */
    public static String toJson(MessageOrBuilder message) {
        try {
            return PRINTER.print(message);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
        }
    }

    /** The message as UTF-8 JSON bytes (a Kafka record value). */
    public static byte[] encode(MessageOrBuilder message) {
        return toJson(message).getBytes(StandardCharsets.UTF_8);
    }

    /** Parses UTF-8 JSON bytes into a message of the builder's type; checks {@code schema_version}. */
    @SuppressWarnings("unchecked")
    public static <M extends Message, B extends Message.Builder> M decode(byte[] json, Supplier<B> builder) {
        if (json == null || json.length == 0) {
            throw new EventDecodeException("empty record value");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new EventDecodeException("record value is not valid UTF-8", e);
        }
        return (M) fromJson(text, builder);
    }

    /** Parses JSON text; checks {@code schema_version}. */
    @SuppressWarnings("unchecked")
    public static <M extends Message, B extends Message.Builder> M fromJson(String json, Supplier<B> builder) {
        B b = builder.get();
        try {
            PARSER.merge(json, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new EventDecodeException("not a valid " + b.getDescriptorForType().getName() + " JSON: "
                    + e.getMessage(), e);
        }
        M m = (M) b.build();
        checkSchemaVersion(m);
        return m;
    }

    /** Throws if the message has a {@code schema_version} newer than this code knows; 0 (absent) counts as 1. */
    public static void checkSchemaVersion(Message m) {
        FieldDescriptor f = m.getDescriptorForType().findFieldByName("schema_version");
        if (f == null) return;
        int v = (Integer) m.getField(f);
        if (v < 0 || v > Topics.SCHEMA_VERSION) {
            throw new EventDecodeException("unsupported schema_version " + v + " of "
                    + m.getDescriptorForType().getName() + " (this service reads up to " + Topics.SCHEMA_VERSION + ")");
        }
    }

    /** A record value that cannot be turned into the expected event (send it to the DLQ). */
    public static final class EventDecodeException extends RuntimeException {
        public EventDecodeException(String message) {
            super(message);
        }

        public EventDecodeException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
