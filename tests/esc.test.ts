import { strict as assert } from "assert";
import { ConfigError } from "../config/errors";
import { evaluate, isSecretEnvelope } from "../tools/harness/evaluate";
import { StackConfig } from "../tools/harness/stackFiles";
import { one, PROJECT, stackConfig, unwrap } from "./support";

/**
 * Values that arrive from a Pulumi ESC environment the stack file imports (`environment:
 * [acme/hft-staging]`, docs/esc.md): the engine hands the program ESC's `pulumiConfig` as stack
 * configuration, objects as JSON text in ESC's own key order and spacing, `fn::secret` values as
 * secret keys. The program must behave as it does with the same values in the stack file.
 */

/** The stack's configuration as ESC would project it: every key from the environment, objects re-serialized, secrets marked. */
function projectedByEsc(stack: StackConfig, edit: (config: Record<string, string>, secretKeys: string[]) => void = () => undefined): StackConfig {
    const config: Record<string, string> = {};
    // ESC sorts object keys and writes compact JSON; a stack file's values come in file order.
    const canonical = (v: unknown): unknown => (Array.isArray(v) ? v.map(canonical) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])])) : v);
    for (const [k, v] of Object.entries(stack.config)) {
        let parsed: unknown;
        try {
            parsed = JSON.parse(v);
        } catch {
            parsed = undefined;
        }
        config[k] = parsed !== null && typeof parsed === "object" ? JSON.stringify(canonical(parsed)) : v;
    }
    const secretKeys = [...stack.secretKeys];
    edit(config, secretKeys);
    return { ...stack, config, secretKeys };
}

describe("values from a Pulumi ESC environment", () => {
    for (const stack of ["staging", "production"]) {
        it(`${stack}: the same resources and outputs whether its values come from the stack file or from ESC`, async () => {
            const fromFile = await evaluate(stackConfig(stack), { ciEnv: {} });
            const fromEsc = await evaluate(projectedByEsc(stackConfig(stack)), { ciEnv: {} });
            assert.equal(fromEsc.error, undefined, String(fromEsc.error));
            assert.deepEqual(fromEsc.resources.map((r) => [r.type, r.name, r.inputs]), fromFile.resources.map((r) => [r.type, r.name, r.inputs]));
            assert.deepEqual(fromEsc.outputs, fromFile.outputs);
        });
    }

    it("a secret ESC projects as a top-level key (fn::secret) is used as the stack file's secret would be, and stays secret", async () => {
        const esc = projectedByEsc(stackConfig("staging"), (config, secretKeys) => {
            config[`${PROJECT}:marketDataApiKey`] = "md-key-from-esc";
            if (!secretKeys.includes(`${PROJECT}:marketDataApiKey`)) secretKeys.push(`${PROJECT}:marketDataApiKey`);
        });
        const ev = await evaluate(esc, { ciEnv: {} });
        assert.equal(ev.error, undefined, String(ev.error));
        const masked = (v: unknown): unknown => (isSecretEnvelope(v) ? "<secret>" : Array.isArray(v) ? v.map(masked) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, masked(x)])) : v);
        assert.equal(JSON.stringify(ev.resources.map((r) => masked(r.inputs))).includes("md-key-from-esc"), false, "never as plain text");
        const secret = unwrap(one(ev, "core/v1:Secret", "ingestion-secrets").stringData);
        assert.equal(Object.values(secret).includes("md-key-from-esc"), true, "the service's Secret holds it");
    });

    it("a settings object ESC marks secret (a secret inside it) is refused with the key and what to do", async () => {
        const esc = projectedByEsc(stackConfig("staging"), (_config, secretKeys) => secretKeys.push(`${PROJECT}:environment`));
        const ev = await evaluate(esc, { ciEnv: {} });
        assert.ok(ev.error instanceof ConfigError, String(ev.error));
        assert.deepEqual(ev.error.problems, [
            `${PROJECT}:environment: is held as a secret, but its settings end up in plain Kubernetes objects and labels; set it without --secret and keep each secret in a key of its own ({fromConfig: <key>})`,
        ]);
        assert.deepEqual(ev.resources, []);
    });
});
