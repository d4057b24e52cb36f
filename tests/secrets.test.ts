import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { evaluate, Evaluation, isConfigError, isSecretEnvelope } from "../tools/harness/evaluate";
import { toManifests } from "../tools/harness/manifests";
import { REDACTED, StackConfig } from "../tools/harness/stackFiles";
import { deployedImage, one, ofKind, PROJECT, REPO, run, stackConfig, unwrap } from "./support";

const BROKER_KEY = `${PROJECT}:brokerApiKey`;
/** A value no part of the program could produce by itself. */
const SENTINEL = "brk-Zq7vX2-SENTINEL-93f1d0";
/** A plain value of the catalog that must show up wherever the walks look. */
const PLAIN = "wss://feed.example-exchange.com/v2";
const SECRETS: Record<string, string[]> = { execution: ["BROKER_API_KEY"], ingestion: ["MARKET_DATA_API_KEY"], orchestrator: ["SESSION_SIGNING_KEY"] };

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

/** Every string reachable from `v`, with its path; secret envelopes are skipped unless `intoSecrets`. */
function strings(v: unknown, at: string, intoSecrets = false, out: Array<[string, string]> = []): Array<[string, string]> {
    if (isSecretEnvelope(v)) {
        if (intoSecrets) strings(v.value, `${at}<secret>`, intoSecrets, out);
    } else if (typeof v === "string") {
        out.push([at, v]);
    } else if (Array.isArray(v)) {
        v.forEach((x, i) => strings(x, `${at}[${i}]`, intoSecrets, out));
    } else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
            out.push([`${at}.${k}<key>`, k]);
            strings(x, `${at}.${k}`, intoSecrets, out);
        }
    }
    return out;
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

/** The value the harness's mock gives a RandomPassword of that name. */
const mockedPassword = (name: string) => `generated-${createHash("sha256").update(JSON.stringify(name)).digest("hex").slice(0, 24)}`;

/** Paths in a parsed manifest where `needle` occurs; a Secret's stringData values are skipped when `skipSecretData`. */
function manifestHits(doc: any, needle: string, skipSecretData: boolean): string[] {
    const body = skipSecretData && doc.kind === "Secret" ? { ...doc, stringData: Object.keys(doc.stringData ?? {}) } : doc;
    return strings(body, `${doc.kind}/${doc.metadata.name}`).filter(([, s]) => s.includes(needle)).map(([at]) => at);
}

for (const stack of ["staging", "production"]) {
    describe(`secrets of stack ${stack}`, () => {
        let ev: Evaluation;
        before(async () => {
            ev = await run(stack);
        });

        it("holds each service's secrets in one Opaque Secret whose stringData is a Pulumi secret", () => {
            assert.deepEqual([...ofKind(ev, "core/v1:Secret").keys()].sort(), [...Object.keys(SECRETS).map((s) => `${s}-secrets`), `${stack}-registry`]);
            for (const [svc, keys] of Object.entries(SECRETS)) {
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
        it(`reaches ${stack}'s execution Secret and nothing else`, async () => {
            const ev = await run(withBrokerKey(stack));
            assert.equal(unwrap(one(ev, "core/v1:Secret", "execution-secrets").stringData).BROKER_API_KEY, SENTINEL);
            // The walk can find it where it is held as a secret...
            assert.deepEqual(occurrences(ev, SENTINEL, true), [`kubernetes:core/v1:Secret execution-secrets.stringData<secret>.BROKER_API_KEY`]);
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

describe("the render CLI", () => {
    let tmp: string;
    before(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-render-"));
    });
    after(() => {
        fs.rmSync(tmp, { recursive: true, force: true });
    });

    for (const stack of ["staging", "production"]) {
        it(`writes no secret value for ${stack}, only redacted Secret data`, async () => {
            const out = path.join(tmp, stack);
            execFileSync(process.execPath, ["-r", require.resolve("sucrase/register/ts"), "tools/render.ts", stack, "--out", out], { cwd: REPO, stdio: "pipe" });
            const password = unwrap(one(await run(stack), "core/v1:Secret", "orchestrator-secrets").stringData).SESSION_SIGNING_KEY;
            assert.equal(password, mockedPassword("orchestrator-session-signing-key"));
            const files = fs.readdirSync(out).filter((f) => f.endsWith(".yaml"));
            assert.equal(files.length, stack === "staging" ? 40 : 51);
            const texts = files.map((f) => fs.readFileSync(path.join(out, f), "utf8"));
            const all = texts.join("\n");
            assert.equal(all.includes(password), false, "the generated password was rendered");
            assert.equal(all.includes(PLAIN), true, "the grep sees plain values");
            assert.equal(all.includes(deployedImage(stack, "ingestion")), true);

            const docs = texts.map((t) => YAML.parse(t));
            const secrets = docs.filter((d) => d.kind === "Secret");
            assert.deepEqual(
                Object.fromEntries(secrets.map((d) => [d.metadata.name.replace(/-(secrets|registry)-[0-9a-f]{8}$/, ""), d.stringData])),
                Object.fromEntries([
                    ...Object.entries(SECRETS).map(([svc, keys]) => [svc, Object.fromEntries(keys.map((k) => [k, REDACTED]))]),
                    [stack, { ".dockerconfigjson": REDACTED }],
                ]),
            );
            assert.deepEqual(docs.flatMap((d) => manifestHits(d, REDACTED, true)), []);
            assert.equal(all.split(REDACTED).length - 1, 4, "exactly the four Secret values are redacted");
        });
    }
});
