/**
 * A pure function's answers by key, the most recent `size` kept. The harness reads the same
 * project files many times in one process (`npm run generate` reads each stack file for the
 * workflows, the secret-keys page, the snapshots and each promotion source; the tests read them
 * for hundreds of evaluations), and the same text always parses to the same value; the
 * generator transpiles the same policy files for each derivation.
 */
export function memo<K, V>(f: (key: K) => V, size = 32): (key: K) => V {
    const answers = new Map<K, V>();
    return (key: K) => {
        if (answers.has(key)) {
            const v = answers.get(key) as V;
            answers.delete(key); // most recently used last
            answers.set(key, v);
            return v;
        }
        const v = f(key);
        answers.set(key, v);
        if (answers.size > size) answers.delete(answers.keys().next().value as K);
        return v;
    };
}

/**
 * Freezes a value all the way down (a Map's values too; an Error is left as it is), so an answer
 * shared between callers cannot be changed by one.
 */
export function deepFreeze<T>(v: T): T {
    if (typeof v !== "object" || v === null || Object.isFrozen(v) || v instanceof Error) return v;
    for (const child of v instanceof Map ? [...v.values()] : Object.values(v)) deepFreeze(child);
    return Object.freeze(v);
}
