import { strict as assert } from "assert";
import fc from "fast-check";
import { ConfigError } from "../config/errors";
import { readPlatformConfig, RawConfig, resolvePlatformConfig } from "../config/platform";
import { deployPlatform } from "../program";
import { underMocks } from "../tools/harness/evaluate";
import { duplicated, predictedNames, recordedNames } from "./declaredNames";
import { secretsOf } from "./fixtures/catalogs";

/**
 * Names that collide, generated (issue 18, class 4): catalogs of a few services whose names,
 * objectNames, secret names and files volumes come from small pools of names that run into each
 * other and into the platform's own (`a`, `a-b`, `B_C`, `default`, `default-deny-ingress`,
 * `x-files`...), in every exposure mode. For each, the program runs under the mocks from the
 * configuration with every check but the names one, and what it declares is compared with
 * config/names/declared.ts; then the check must refuse exactly when that declared a URN twice
 * or a Kubernetes object twice (counting the ServiceAccount `default` Kubernetes makes).
 * `FUZZ_NAME_RUNS` and `FUZZ_SEED` change the count (150) and the seed (fixed, so CI repeats).
 */

const RUNS = Number(process.env.FUZZ_NAME_RUNS ?? 150);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const PROJECT = "fuzz";
const STACK = "names";
const NAMESPACE = "fuzz-ns";

const SERVICE_NAMES = ["a", "a-b", "a--b", "b", "api", "api-db", "x", "x-files", "x-files-v", "default", "default-deny-ingress", "allow-acme-http01-solver", "web", "web-https-redirect"];
const SECRET_NAMES = ["B_C", "C", "_B_C", "DB_PASSWORD", "PASSWORD", "password", "X"];
const VOLUME_NAMES = ["v-config", "files-y", "y", "config", "v"];
const DIGEST = `sha256:${"c".repeat(64)}`;

const secret = fc.constantFrom({ generate: { length: 16 } }, { generate: { length: 16 } }, { fromConfig: "sharedKey" }, { external: { key: "fuzz/shared" } });
/** Secrets of one service: names differing only by case are refused on their own, so one of each. */
const secrets = fc.dictionary(fc.constantFrom(...SECRET_NAMES), secret, { maxKeys: 3 }).map((s) => {
    const seen = new Set<string>();
    return Object.fromEntries(Object.entries(s).filter(([k]) => !seen.has(k.toLowerCase()) && seen.add(k.toLowerCase())));
});
const volumes = fc.uniqueArray(fc.constantFrom(...VOLUME_NAMES), { maxLength: 2 }).map((names) => Object.fromEntries(names.map((v) => [v, { mountPath: `/mnt/${v}`, files: { "a.conf": v } }])));

const service = fc.record({
    kind: fc.constantFrom("web", "web", "worker", "cronjob", "stateful"),
    objectName: fc.option(fc.constantFrom(...SERVICE_NAMES), { freq: 5 }),
    secrets,
    volumes,
    exposed: fc.boolean(),
    called: fc.boolean(),
    metrics: fc.boolean(),
    autoscaled: fc.boolean(),
    rbac: fc.boolean(),
    byTag: fc.boolean(),
});

const catalog = fc.record({
    services: fc.uniqueArray(fc.tuple(fc.constantFrom(...SERVICE_NAMES), service), { minLength: 1, maxLength: 4, selector: ([name]) => name }),
    exposure: fc.constantFrom("ingress", "gateway", "both"),
    createGateway: fc.boolean(),
    operator: fc.boolean(),
});

type Generated = typeof catalog extends fc.Arbitrary<infer T> ? T : never;

/** The stack's values: every service valid on its own, each exposed one on a host of its own. */
function values(g: Generated): Record<string, unknown> {
    const services: Record<string, unknown> = {};
    let exposed: string | undefined;
    g.services.forEach(([name, s], i) => {
        const serving = s.kind === "web" || s.kind === "stateful";
        const expose = s.kind === "web" && s.exposed;
        if (expose) exposed ??= name;
        services[name] = {
            kind: s.kind,
            image: { repository: `ghcr.io/fuzz/${name}`, ...(s.byTag ? { tag: "1.0.0" } : { digest: DIGEST }) },
            ...(serving ? { port: 8080, probes: { liveness: "/healthz", readiness: "/ready" } } : {}),
            ...(s.kind === "cronjob" ? { job: { schedule: "0 * * * *" } } : {}),
            ...(s.objectName !== null ? { objectName: s.objectName } : {}),
            ...(Object.keys(s.secrets).length > 0 ? { secrets: s.secrets } : {}),
            ...(Object.keys(s.volumes).length > 0 ? { volumes: s.volumes } : {}),
            ...(expose ? { ingress: { hostPrefix: `host-${i}` } } : {}),
            ...(serving && s.called ? { allowFrom: [{ namespace: "callers" }] } : {}),
            ...(serving && s.metrics ? { metrics: { path: "/metrics" } } : {}),
            ...(s.kind === "web" && s.autoscaled ? { autoscaling: { enabled: true } } : {}),
            ...(s.rbac ? { rbac: { read: { resources: ["configmaps"], verbs: ["get"] } } } : {}),
        };
    });
    const gateway = g.exposure === "ingress" ? {} : { gateway: g.createGateway ? { name: "public", create: { className: "eg" } } : { name: "public", namespace: "gateway-system", httpListener: "http" } };
    return {
        catalog: { system: "fuzz", tiers: { small: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } } }, defaults: { tier: "small" }, services },
        environment: {
            namespace: NAMESPACE,
            domain: "fuzz.example.com",
            cluster: { context: "fuzz" },
            exposure: g.exposure,
            ...gateway,
            externalSecrets: { store: "vault-backend" },
            monitoring: { operator: g.operator },
            ...(exposed ? { publicService: exposed } : {}),
        },
        github: { owner: "fuzz", repository: "fuzz", deployFrom: { branches: ["main", "release/*", "release-*"] }, variables: { REGION: "eu" } },
    };
}

describe("names that collide, generated (issue 18, class 4)", function () {
    this.timeout(120_000);

    it(`refuses a catalog exactly when the program would give a name twice (${RUNS} catalogs, seed ${SEED})`, async () => {
        const secretSource = secretsOf({ sharedKey: "shared" });
        let refusals = 0;
        await fc.assert(
            fc.asyncProperty(catalog, async (g) => {
                const raw: RawConfig = { project: PROJECT, stack: STACK, values: values(g), dryRun: false, ciEnv: {} };
                const where = JSON.stringify(raw.values);
                const { config } = resolvePlatformConfig(raw, secretSource);
                const ev = await underMocks({ project: PROJECT, stack: STACK, config: {}, secretKeys: [] }, false, () => deployPlatform(config));
                assert.equal(ev.error, undefined, `${where}: ${String(ev.error)}`);
                const recorded = recordedNames(ev);
                const predicted = predictedNames(config, PROJECT, STACK);
                assert.deepEqual(predicted, recorded, where);
                // Kubernetes makes the ServiceAccount `default` in every namespace.
                const collisions = [...duplicated(recorded.urns), ...duplicated([...recorded.objects, ` ServiceAccount ${NAMESPACE} default`])];
                let problems: readonly string[] = [];
                try {
                    readPlatformConfig(raw, secretSource);
                } catch (e) {
                    assert.ok(e instanceof ConfigError, `${where}: ${String(e)}`);
                    problems = e.problems;
                }
                assert.equal(problems.length > 0, collisions.length > 0, `${where}: refused ${JSON.stringify(problems)}, given twice ${JSON.stringify(collisions)}`);
                if (problems.length > 0) refusals++;
            }),
            { numRuns: RUNS, seed: SEED },
        );
        console.log(`      ${RUNS} catalogs, ${refusals} refused for names that collide`);
        assert.ok(refusals > RUNS / 10 && refusals < RUNS - RUNS / 10, "the pools make both outcomes common");
    });
});
