import * as pulumi from "@pulumi/pulumi";

/**
 * Every problem found in the stack's configuration, reported together. It extends Pulumi's
 * `RunError`, so `pulumi preview`/`up` print the messages without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: readonly string[]) {
        super(
            `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** Collects problems while a configuration is read; throws them all at once. */
export class Problems {
    private readonly list: string[] = [];
    private readonly seen = new Set<string>();

    /** Records a problem; the same problem found again (a shared setting, read per service) is kept once. */
    add(path: string, message: string): void {
        const problem = `${path}: ${message}`;
        if (!this.seen.has(problem)) {
            this.seen.add(problem);
            this.list.push(problem);
        }
    }

    get count(): number {
        return this.list.length;
    }

    throwIfAny(): void {
        if (this.list.length > 0) {
            throw new ConfigError(this.list);
        }
    }
}

/** Renders a configuration value for a message: strings quoted, objects as compact JSON. */
export function show(value: unknown): string {
    if (value === undefined) {
        return "nothing";
    }
    const text = JSON.stringify(value);
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
