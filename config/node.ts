import { Problems, show } from "./errors";

/**
 * A configuration value with the full key path it was read from. Every accessor checks the
 * value, records a problem naming the path, the bad value and what is allowed, and returns
 * `undefined` when the value is unusable, so that reading continues and all problems are
 * reported at once.
 */
export class Node {
    constructor(
        readonly value: unknown,
        readonly path: string,
        readonly problems: Problems,
    ) {}

    get present(): boolean {
        return this.value !== undefined && this.value !== null;
    }

    child(key: string): Node {
        const value = isRecord(this.value) ? this.value[key] : undefined;
        return new Node(value, `${this.path}.${key}`, this.problems);
    }

    fail(expected: string): undefined {
        this.problems.add(this.path, `expected ${expected}, got ${show(this.value)}`);
        return undefined;
    }

    /** An object whose keys must all be in `allowed`; unknown keys are errors. */
    object(allowed: readonly string[]): Record<string, Node> | undefined {
        if (!this.present) {
            return undefined;
        }
        if (!isRecord(this.value)) {
            return this.fail(`an object with keys ${allowed.join(", ")}`);
        }
        const out: Record<string, Node> = {};
        for (const key of Object.keys(this.value)) {
            // `key:` with nothing after it is YAML null: the same as leaving the key out.
            if (this.value[key] === null) {
                continue;
            }
            if (!allowed.includes(key)) {
                const hint = closest(key, allowed);
                this.problems.add(
                    `${this.path}.${key}`,
                    `unknown key${hint ? ` (did you mean '${hint}'?)` : ""}; allowed keys: ${allowed.join(", ")}`,
                );
                continue;
            }
            out[key] = this.child(key);
        }
        return out;
    }

    /** An object whose keys are names chosen by the user, each checked by `keyCheck`. */
    map(keyCheck: (key: string) => string | undefined, keyExpected: string): Map<string, Node> | undefined {
        if (!this.present) {
            return undefined;
        }
        if (!isRecord(this.value)) {
            return this.fail("an object (a map of names to settings)");
        }
        const out = new Map<string, Node>();
        for (const key of Object.keys(this.value).sort()) {
            const problem = keyCheck(key);
            if (problem !== undefined) {
                this.problems.add(`${this.path}.${key}`, `${show(key)} is not ${keyExpected}: ${problem}`);
                continue;
            }
            out.set(key, this.child(key));
        }
        return out;
    }

    array(): Node[] | undefined {
        if (!this.present) {
            return undefined;
        }
        if (!Array.isArray(this.value)) {
            return this.fail("a list");
        }
        const items = this.value.map((v, i) => new Node(v, `${this.path}[${i}]`, this.problems));
        for (const item of items) {
            if (!item.present) item.fail("a value");
        }
        return items;
    }

    string(check?: (s: string) => string | undefined, expected = "a string"): string | undefined {
        if (!this.present) {
            return undefined;
        }
        if (typeof this.value !== "string" || this.value.length === 0) {
            return this.fail(expected === "a string" ? "a non-empty string" : expected);
        }
        if (check) {
            const problem = check(this.value);
            if (problem !== undefined) {
                this.problems.add(this.path, `expected ${expected}, got ${show(this.value)} (${problem})`);
                return undefined;
            }
        }
        return this.value;
    }

    oneOf<T extends string>(allowed: readonly T[]): T | undefined {
        if (!this.present) {
            return undefined;
        }
        if (typeof this.value !== "string" || !(allowed as readonly string[]).includes(this.value)) {
            return this.fail(`one of ${allowed.join(", ")}`);
        }
        return this.value as T;
    }

    integer(min: number, max: number): number | undefined {
        if (!this.present) {
            return undefined;
        }
        const v = this.value;
        if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
            return this.fail(`an integer from ${min} to ${max}`);
        }
        return v;
    }

    boolean(): boolean | undefined {
        if (!this.present) {
            return undefined;
        }
        if (typeof this.value !== "boolean") {
            return this.fail("true or false");
        }
        return this.value;
    }

    /** Records that a required value is missing. */
    required(expected: string): undefined {
        this.problems.add(this.path, `required; expected ${expected}`);
        return undefined;
    }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The allowed key nearest to a typo, if it is close enough to be a likely intent. */
export function closest(key: string, allowed: readonly string[]): string | undefined {
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of allowed) {
        const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
        let diagonal = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const above = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
            diagonal = above;
        }
    }
    return row[b.length];
}
