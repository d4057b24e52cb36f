import * as pulumi from "@pulumi/pulumi";
import { redactTokens, tokensIn } from "./credentials";

/**
 * Every problem found in the stack's configuration, reported together. It extends Pulumi's
 * `RunError`, so `pulumi preview`/`up` print the messages without a stack trace.
 */
export class ConfigError extends pulumi.RunError {
    public readonly problems: readonly string[];

    /** Each problem as given, but with anything shaped like a credential replaced by its kind (config/credentials.ts). */
    constructor(problems: readonly string[]) {
        problems = problems.map(redactTokens);
        super(
            `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "ConfigError";
        this.problems = problems;
    }
}

/** Collects problems while a configuration is read; throws them all at once. */
export class Problems {
    private readonly list: string[] = [];
    private readonly seen = new Set<string>();

    /** Credentials pasted into the configuration, and the key paths where they were reported. */
    private readonly pasted = { tokens: new Set<string>(), paths: [] as string[] };

    /**
     * Records a problem; the same problem found again (a shared setting, read per service) is kept
     * once. Anything shaped like a credential is not shown; a problem at or under the place where
     * a pasted credential was reported (`pastedCredential`), or naming that credential in its key
     * path, is the same mistake again and is left out.
     */
    add(path: string, message: string): void {
        const shown = redactTokens(path);
        if (tokensIn(path).some(({ token }) => this.pasted.tokens.has(token)) || this.pasted.paths.some((p) => shown === p || shown.startsWith(`${p}.`) || shown.startsWith(`${p}[`))) {
            return;
        }
        this.record(`${shown}: ${redactTokens(message)}`);
    }

    /** Records a credential found where a name or a plain value is written, reported there once. */
    pastedCredential(path: string, tokens: readonly string[], message: string): void {
        for (const token of tokens) this.pasted.tokens.add(token);
        const shown = redactTokens(path);
        this.pasted.paths.push(shown);
        this.record(`${shown}: ${message}`);
    }

    private record(problem: string): void {
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
    // Redacted before it is cut short, so no part of a credential is left to show.
    const text = redactTokens(JSON.stringify(value));
    return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}
