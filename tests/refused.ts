import { strict as assert } from "assert";
import { evaluate } from "../tools/harness/evaluate";
import { StackConfig } from "../tools/harness/stackFiles";
import { ConfigError } from "../config/errors";

/**
 * Runs a configuration that must be refused and returns its problems, after checking what every
 * refusal must be: a `ConfigError` (not a crash), printed without a stack trace in the exact
 * format users see, with at least one problem, and no resource declared. `where` prefixes the
 * assertion messages (a fuzz case's description).
 */
export async function refused(config: StackConfig, opts: { ciEnv?: Record<string, string>; where?: string } = {}): Promise<readonly string[]> {
    const where = opts.where ? `${opts.where}: ` : "";
    const ev = await evaluate(config, { ciEnv: opts.ciEnv ?? {} });
    assert.ok(ev.error instanceof ConfigError, `${where}expected a ConfigError, got ${ev.error ? String(ev.error.stack) : "no error"}`);
    assert.deepEqual(
        ev.resources.map((r) => `${r.type} ${r.name}`),
        [],
        `${where}no resource may be registered from a bad configuration`,
    );
    const { message, problems } = ev.error;
    assert.ok(problems.length > 0, `${where}a refusal names its problems`);
    assert.doesNotMatch(message, /\n\s+at /, `${where}the message must not carry a stack trace`);
    assert.equal(message, `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map((p) => `  - ${p}`).join("\n"), where);
    return problems;
}
