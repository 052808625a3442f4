package dev.eryao.api;

import java.util.List;

/** A whole (small) list on the wire. */
record ItemsBody<T>(List<T> items) {}
