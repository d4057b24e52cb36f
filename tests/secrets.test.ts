import * as assert from "node:assert/strict";
import YAML from "yaml";
import { evaluate, Evaluation, isConfigError, isSecretEnvelope } from "../tools/harness/evaluate";
import { toManifests } from "../tools/harness/manifests";
import { REDACTED, StackConfig } from "../tools/harness/stackFiles";
import { mockedPassword, PLAIN, SECRETS, strings } from "./secretWalk";
import { secretsByService } from "./facts-validation";
import { servicesOf, stackFacts } from "./facts-resources";
import { one, ofKind, PROJECT, run, stackConfig, unwrap } from "./support";

const BROKER_KEY = `${PROJECT}:brokerApiKey`;
/** A value no part of the program could produce by itself. */
const SENTINEL = "brk-Zq7vX2-SENTINEL-93f1d0";

/** The staging (or production) config with a distinctive broker key set the way `pulumi config set --secret` would. */
function withBrokerKey(stack: string, opts: { secret: boolean } = { secret: true }): StackConfig {
    const base = stackConfig(stack);
    const secretKeys = base.secretKeys.filter((k) => k !== BROKER_KEY);
    return {
        ...base,
        config: { ...base.config, [BROKER_KEY]: SENTINEL },
        secretKeys: opts.secret ? [...secretKeys, BROKER_KEY].sort() : secretKeys,
        placeholders: base.placeholders.filter((k) => k !== "brokerApiKey"),
    };
}


/** Where `needle` occurs in any resource input (outside secrets unless `intoSecrets`). */
function occurrences(ev: Evaluation, needle: string, intoSecrets = false): string[] {
    const found: string[] = [];
    for (const r of ev.resources) {
        for (const [at, s] of strings(r.inputs, `${r.type} ${r.name}`, intoSecrets)) {
            if (s.includes(needle)) found.push(at);
        }
    }
    return found;
}



for (const stack of ["staging", "production"]) {
    describe(`secrets of stack ${stack}`, () => {
        let ev: Evaluation;
        before(async () => {
            ev = await run(stack);
        });

        it("holds each service's secrets in one Opaque Secret whose stringData is a Pulumi secret", () => {
            // The services that name secrets, read from the configuration; SECRETS, written out, must be among them.
            const named = secretsByService(stack);
            assert.deepEqual([...ofKind(ev, "core/v1:Secret").keys()].sort(), [...Object.keys(named).map((s) => `${s}-secrets`), `${stack}-registry`].sort());
            for (const [svc, keys] of [...Object.entries(named), ...Object.entries(SECRETS)]) {
                const s = one(ev, "core/v1:Secret", `${svc}-secrets`);
                assert.equal(isSecretEnvelope(s.stringData), true, `${svc} stringData is not secret`);
                assert.deepEqual(Object.keys(unwrap(s.stringData)), keys);
                assert.equal(s.type, "Opaque");
                assert.equal(s.immutable, true);
                assert.equal("data" in s, false);
            }
        });

        it("generates the orchestrator's SESSION_SIGNING_KEY with a 48-character RandomPassword", () => {
            const passwords = ev.resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword");
            assert.deepEqual(passwords.map((p) => p.name), ["orchestrator-session-signing-key"]);
            assert.deepEqual(passwords[0].inputs, { length: 48, special: false });
            const value = unwrap(one(ev, "core/v1:Secret", "orchestrator-secrets").stringData).SESSION_SIGNING_KEY;
            assert.equal(value, mockedPassword("orchestrator-session-signing-key"));
        });

        it("passes unset secret config as secret placeholders only", () => {
            assert.deepEqual(unwrap(one(ev, "core/v1:Secret", "execution-secrets").stringData), { BROKER_API_KEY: REDACTED });
            assert.deepEqual(unwrap(one(ev, "core/v1:Secret", "ingestion-secrets").stringData), { MARKET_DATA_API_KEY: REDACTED });
            assert.deepEqual(unwrap(one(ev, "core/v1:Secret", "position-reconciler-secrets").stringData), { BROKER_API_KEY: REDACTED });
            assert.deepEqual(occurrences(ev, REDACTED), []);
            assert.deepEqual(occurrences(ev, mockedPassword("orchestrator-session-signing-key")), []);
            assert.ok(occurrences(ev, PLAIN).length > 0, "the walk sees plain values");
            assert.ok(!JSON.stringify(ev.outputs).includes(REDACTED));
        });
    });
}

describe("the production provider's kubeconfig", () => {
    it("is passed as a secret", async () => {
        const ev = await run("production");
        const provider = ev.resources.find((r) => r.type === "pulumi:providers:kubernetes");
        assert.equal(isSecretEnvelope(provider?.inputs.kubeconfig), true);
        assert.equal(unwrap(provider?.inputs.kubeconfig), REDACTED);
    });
});

describe("a secret set in the stack config", () => {
    for (const stack of ["staging", "production"]) {
        it(`reaches ${stack}'s Secrets of the services that read it, and nothing else`, async () => {
            const ev = await run(withBrokerKey(stack));
            // Every service whose secrets read the key, from the configuration: execution and the reconciler.
            const x = stackFacts(stack);
            const readers = servicesOf(x).flatMap((svc) => Object.entries(x.services[svc].fromConfig).filter(([, key]) => key === "brokerApiKey").map(([v]) => [svc, v] as const));
            assert.deepEqual(readers.map(([svc]) => svc), ["execution", "position-reconciler"]);
            for (const [svc, variable] of readers) assert.equal(unwrap(one(ev, "core/v1:Secret", `${svc}-secrets`).stringData)[variable], SENTINEL, svc);
            // The walk can find it where it is held as a secret...
            assert.deepEqual(occurrences(ev, SENTINEL, true), readers.map(([svc, variable]) => `kubernetes:core/v1:Secret ${svc}-secrets.stringData<secret>.${variable}`));
            // ...and nowhere else, nor in the stack outputs.
            assert.deepEqual(occurrences(ev, SENTINEL), []);
            assert.ok(!JSON.stringify(ev.outputs).includes(SENTINEL));
        });
    }

    it("never reaches the rendered manifests", async () => {
        const ev = await run(withBrokerKey("staging"));
        const text = toManifests(ev.resources).map((m) => YAML.stringify(m)).join("---\n");
        assert.equal(text.includes(SENTINEL), false);
        assert.equal(text.includes(mockedPassword("orchestrator-session-signing-key")), false);
        assert.equal(text.includes(PLAIN), true);
    });

    it("is refused when set as plain text", async () => {
        const ev = await evaluate(withBrokerKey("staging", { secret: false }), { ciEnv: {} });
        assert.ok(isConfigError(ev.error), `expected a ConfigError, got ${String(ev.error)}`);
        assert.match(ev.error.message, /hft-platform:brokerApiKey: is set as plain text but holds a secret/);
        assert.deepEqual(ev.resources, []);
        assert.equal(ev.error.message.includes(SENTINEL), false);
    });
});
