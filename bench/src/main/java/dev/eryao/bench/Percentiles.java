package dev.eryao.bench;

import java.util.List;
import java.util.Locale;

/** Nearest-rank percentiles of measured milliseconds, and the one-line summary the benchmarks print. */
final class Percentiles {
    private Percentiles() {
    }

    /** The values sorted; {@code values} may be a synchronized list that clients still add to. */
    static double[] sorted(List<Double> values) {
        synchronized (values) {
            return values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        }
    }

    /** The nearest-rank percentile {@code p} (0..100) of sorted values; NaN for none. */
    static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** {@code label} with p50, p95, p99, max and count of sorted values (at least one). */
    static String line(String label, double[] sorted) {
        return String.format(Locale.ROOT, "%-44s p50 %7.2f  p95 %7.2f  p99 %7.2f  max %7.2f ms  (n=%d)", label,
                pct(sorted, 50), pct(sorted, 95), pct(sorted, 99), sorted[sorted.length - 1], sorted.length);
    }
}
