package dev.eryao.services;

import java.time.Instant;

/**
 * A stream ticket as its owner receives it, once: the ticket itself (only its hash is kept) and
 * when it stops opening its stream.
 */
public record IssuedTicket(String ticket, Instant expiresAt) {}
