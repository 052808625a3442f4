package dev.eryao.services;

import java.util.List;

/**
 * A registration's fields as an administrator sent them; null is "not sent" (a change leaves the
 * field as it is). A secret header is both of its fields or neither; in a change, an empty
 * {@code secretHeaderName} removes the header.
 */
public record McpServerDraft(
        String name,
        String url,
        List<String> allowedTools,
        List<String> approvalTools,
        Long pricePerCall,
        String secretHeaderName,
        String secretHeaderVariable,
        Boolean isEnabled) {}
