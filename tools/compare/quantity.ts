/** Kubernetes resource quantities (`500m`, `0.5`, `1Gi`), compared by amount rather than by spelling. */

const SUFFIX: Readonly<Record<string, number>> = {
    m: 1e-3,
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/** The amount a quantity stands for, or undefined when the value is not one. */
export function amount(v: unknown): number | undefined {
    if (typeof v === "number") return v;
    if (typeof v !== "string") return undefined;
    const m = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(v);
    return m ? Number(m[1]) * SUFFIX[m[2] ?? ""] : undefined;
}

/** Whether two values are the same quantity (`2000m` and `2`, `1Gi` and `1073741824`). */
export function sameQuantity(a: unknown, b: unknown): boolean {
    const [x, y] = [amount(a), amount(b)];
    return x !== undefined && y !== undefined && Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y), 1e-3);
}

/** Keys whose values are quantities wherever they appear under `limits`/`requests`, and `sizeLimit`. */
export function isQuantityPlace(parentKey: string | undefined, key: string): boolean {
    return parentKey === "limits" || parentKey === "requests" || key === "sizeLimit";
}
