package dev.eryao.models;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores {@link MessageRole} as its lower-case wire name. */
@Converter(autoApply = true)
public class MessageRoleConverter implements AttributeConverter<MessageRole, String> {
    @Override
    public String convertToDatabaseColumn(MessageRole role) {
        return role == null ? null : role.wireName();
    }

    @Override
    public MessageRole convertToEntityAttribute(String value) {
        return value == null ? null : MessageRole.fromWireName(value);
    }
}
