package dev.eryao.services;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a new run of a session does while the session has a run open (LangGraph's
 * {@code multitask_strategy}). Whatever the choice, a session's runs are performed one at a time.
 */
public enum MultitaskStrategy {
    /** The new run waits for the open ones, then is performed: a second message sent while the first is answered. */
    ENQUEUE,
    /** The new run is refused (409, naming the open run); nothing is written, nothing held. */
    REJECT,
    /**
     * The open runs are stopped as by cancel (a running one keeps what its model wrote and is
     * charged what it used; queued ones cost nothing), and the new run is performed next.
     */
    INTERRUPT;

    /** The field's name in a run's body. */
    public static final String FIELD = "multitask_strategy";

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The strategy a request names; null (absent) is {@link #ENQUEUE}.
     *
     * @throws InvalidInputException naming the field and the accepted values for anything else
     */
    public static MultitaskStrategy parse(String value) {
        if (value == null) {
            return ENQUEUE;
        }
        for (MultitaskStrategy strategy : values()) {
            if (strategy.wireName().equals(value)) {
                return strategy;
            }
        }
        throw InvalidInputException.field(FIELD, "must be one of " + accepted() + " (the default is enqueue)");
    }

    static String accepted() {
        return Arrays.stream(values()).map(MultitaskStrategy::wireName).collect(Collectors.joining(", "));
    }
}
