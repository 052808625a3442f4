package dev.eryao.models;

import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Converter;

/** Stores {@link RunStatus} as its lower-case wire name. */
@Converter(autoApply = true)
public class RunStatusConverter implements AttributeConverter<RunStatus, String> {
    @Override
    public String convertToDatabaseColumn(RunStatus status) {
        return status == null ? null : status.wireName();
    }

    @Override
    public RunStatus convertToEntityAttribute(String value) {
        return value == null ? null : RunStatus.fromWireName(value);
    }
}
