/** Small statistics for the benchmark report. */

export interface Summary {
    readonly median: number;
    readonly min: number;
    readonly max: number;
}

export function summarize(values: readonly number[]): Summary {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export interface LinearFit {
    /** Time at zero services (ms). */
    readonly intercept: number;
    /** Time per service (ms). */
    readonly slope: number;
    readonly r2: number;
}

/** Least-squares line through (services, ms). */
export function linearFit(points: readonly (readonly [number, number])[]): LinearFit {
    const n = points.length;
    const mx = points.reduce((s, [x]) => s + x, 0) / n;
    const my = points.reduce((s, [, y]) => s + y, 0) / n;
    const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
    const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
    const slope = sxy / sxx;
    const intercept = my - slope * mx;
    const ssTot = points.reduce((s, [, y]) => s + (y - my) ** 2, 0);
    const ssRes = points.reduce((s, [x, y]) => s + (y - (intercept + slope * x)) ** 2, 0);
    return { intercept, slope, r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot };
}

/**
 * Exponent k in (t(n) - t(first)) ~ (n - first)^k between the last two points, measured from the
 * first: 1 for linear growth, 2 for quadratic. The fixed start-up cost drops out.
 */
export function growthExponent(points: readonly (readonly [number, number])[]): number {
    const [x0, y0] = points[0];
    const [x1, y1] = points[points.length - 2];
    const [x2, y2] = points[points.length - 1];
    return Math.log((y2 - y0) / (y1 - y0)) / Math.log((x2 - x0) / (x1 - x0));
}
