import { strict as assert } from "assert";
import fc from "fast-check";
import { CONFIG_KEYS } from "../config/platform";
import { service } from "../config/schema/service";
import { StackConfig } from "../tools/harness/stackFiles";
import { refused } from "./refused";
import { editedConfig, PROJECT, run, stackConfig, unwrap } from "./support";

/**
 * Hostile and broken configuration, generated: each case starts from a repo stack and breaks it
 * in one to three ways (wrong types, out-of-range numbers, bad names and quantities, missing
 * required keys, unknown keys, huge values, unicode, YAML oddities, raw text that is not an
 * object, secrets given as plain text), sometimes next to valid but hostile names
 * (`toString`, `constructor`). Every case must end in a ConfigError whose every problem starts
 * with `hft-platform:` and a key path, one of them at (or above, or below) a path the mutation
 * broke; never a crash, a stack trace or a registered resource.
 */

const P = `${PROJECT}:`;
const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261126);

type Path = readonly string[];
type Values = { catalog: any; environment: any };

interface State {
    values: Values;
    config: Record<string, string>;
    secretKeys: Set<string>;
    /** Raw text for a structured key (what a mangled stack file would hand the program), or null to drop the key. */
    raw: Partial<Record<"catalog" | "environment", string | null>>;
}

interface Mutation {
    readonly family: string;
    readonly label: string;
    /** Key paths (without `hft-platform:`) where a problem is expected: at, above or below one of them. */
    readonly blame: readonly string[];
    /** A text some problem must contain. */
    readonly mentions?: string;
    apply(s: State): void;
}

// --- paths ----------------------------------------------------------------------------------

function isObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Sets an own property, also for keys such as `__proto__`. */
function put(o: Record<string, unknown>, key: string, value: unknown): void {
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

function setAt(root: any, path: Path, value: unknown): void {
    let o = root;
    for (const key of path.slice(0, -1)) {
        if (!Object.hasOwn(o, key) || !isObject(o[key])) put(o, key, {});
        o = o[key];
    }
    put(o, path[path.length - 1], value);
}

function deleteAt(root: any, path: Path): void {
    let o = root;
    for (const key of path.slice(0, -1)) {
        if (!isObject(o?.[key])) return;
        o = o[key];
    }
    delete o[path[path.length - 1]];
}

const text = (path: Path) => path.join(".");

// --- bad values, invalid by construction -------------------------------------------------------

const deep = fc.integer({ min: 50, max: 800 }).map((depth) => {
    let v: unknown = "x";
    for (let i = 0; i < depth; i++) v = [v];
    return v;
});
/** Anything but a plain object (and not null, which means "left out"). */
const notObject = fc.oneof(
    fc.constant([]),
    fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constantFrom("yes", "no", "~", "null", "{}", "[]", "0x1F", "1_000", ".inf", "2024-01-01"),
    deep,
);
const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant([]), fc.constant({}), fc.constant(["x"]), fc.double({ noNaN: true, noDefaultInfinity: true }), deep);

/** Inserts one of `chars` somewhere into a valid value. */
const inject = (valid: string, chars: readonly string[]) =>
    fc.tuple(fc.constantFrom(...chars), fc.nat({ max: valid.length })).map(([c, i]) => valid.slice(0, i) + c + valid.slice(i));
const long = (unit: string, min: number) => fc.integer({ min, max: min + 100_000 }).map((n) => unit.repeat(n));

const DNS_BAD = ["A", "Z", "_", ".", " ", "/", ":", "@", "*", "\n", "\t", "\u0000", "é", "ß", "я", "中", "🚀", "\u200d", "\u202e", "'", '"', "\\", "$", "{", "%"];
const badDnsLabel = fc.oneof(inject("api", DNS_BAD), inject("hft-staging", DNS_BAD), fc.constantFrom("", "-api", "api-", "--"), long("a", 64), notString);
const badServiceName = fc.oneof(badDnsLabel.filter((v) => typeof v === "string" && v !== ""), fc.constantFrom("1api", "9", "0-risk"));
const HOST_BAD = DNS_BAD.filter((c) => c !== ".");
const badHost = fc.oneof(
    inject("staging.example.com", HOST_BAD),
    fc.constantFrom("", "localhost", "example..com", ".example.com", "example.com.", "*.example.com", "-a.example.com", "bücher.example", "example.com:443", "https://example.com"),
    fc.integer({ min: 64, max: 300 }).map((n) => `${"a".repeat(n)}.example.com`),
    fc.integer({ min: 64, max: 130 }).map((n) => Array.from({ length: n }, () => "abc").join(".")),
    notString,
);
const badQuantity = fc.oneof(
    fc.constantFrom("", "1.5.5", "abc", "10Xi", "-1", " 1", "1 ", "0x10", "1e", "１００m", "5 Gi", "NaN", "Infinity", "1e999", "99999999999999999999Ei", "250mm", "lots", "1,5"),
    fc.integer({ max: -1 }),
    fc.double({ max: -0.001, noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(1e308),
    fc.constant([]),
    fc.constant({ cpu: 1 }),
);
const badInt = (min: number, max: number) =>
    fc.oneof(
        fc.integer({ min: -1_000_000_000, max: min - 1 }),
        fc.integer({ min: max + 1, max: max + 1_000_000_000 }),
        fc.double({ min, max, noNaN: true }).filter((x) => !Number.isInteger(x)),
        fc.integer({ min, max }).map(String),
        fc.constantFrom(true, false, "", "1e3", 1e308, -1e308, 2 ** 53 + 2, [], {}, [min]),
        deep,
    );
const badBool = fc.oneof(fc.constantFrom("true", "false", "yes", "no", "on", "off", "1", 1, 0, "", [], {}, [true]), deep);
const badEnum = (allowed: readonly string[]) =>
    fc.oneof(
        fc.constantFrom(...allowed.map((a) => a.toLowerCase()).filter((a) => !allowed.includes(a)), ...allowed.map((a) => ` ${a}`), "TRACE", "CONNECT", "linux/386", "ANY", ""),
        notString,
    );
const badTag = fc.oneof(
    inject("1.4.2", [":", "/", "@", " ", "\n", "é", "🚀", "+", "*", "\u0000", "!", "#"]),
    fc.constantFrom("latest", ".hidden", "-dash", ""),
    long("x", 129),
    notString,
);
const badRepository = fc.oneof(
    inject("ghcr.io/acme/api", [" ", "@", "\n", "é", "🚀", "*", "!", "\u0000", "#"]),
    fc.constantFrom("", "ghcr.io/acme/api:1.0", "ghcr.io/acme/API", "ghcr.io//api", "ghcr.io/acme/api/", "/acme/api", `ghcr.io/acme/api@sha256:${"a".repeat(64)}`),
    notString,
);
const hex = (n: number) => fc.array(fc.constantFrom(..."0123456789abcdef"), { minLength: n, maxLength: n }).map((a) => a.join(""));
const badDigest = fc.oneof(
    hex(63).map((h) => `sha256:${h}`),
    hex(65).map((h) => `sha256:${h}`),
    hex(64).map((h) => `sha256:${h.toUpperCase()}G`),
    hex(32).map((h) => `md5:${h}`),
    hex(64),
    fc.constantFrom("", "sha256:", "sha256"),
    notString,
);
const badHttpPath = fc.oneof(fc.constantFrom("", "healthz", "/a b", "/a?b", "/a#b", "/é", "/a\n", "/'", '/"', "/<script>", "\\healthz"), notString);
const badEnvName = fc.constantFrom("1ABC", "A-B", "A.B", "A B", "", "É", "__proto__", "A=B", "🚀", "a\nb", "$HOME");
const badConfigKey = fc.oneof(fc.constantFrom("", "1key", "key.name", "key name", "ключ", "a:b", "_x", "-x", "a/b"), notString);
const badUrl = fc.oneof(
    fc.constantFrom(
        "",
        "ftp://x.example",
        "otel:4318",
        "http//x",
        "javascript:alert(1)",
        "http://",
        "http://a b.example",
        "http://x\n.example:4318",
        "http://x.example/\t",
        "http://user:pass@x.example",
        "file:///etc/passwd",
    ),
    notString,
);
const badOrigin = fc.oneof(
    fc.constantFrom(
        "",
        "*",
        "null",
        "https://a.example/",
        "https://a.example/path",
        "https://*.a.example",
        "a.example",
        "ftp://a.example",
        "https://a.example:99999",
        "https://a.example:0",
        "https://a.example, https://b.example",
        "https://a.example\nX-Evil: 1",
        'https://a.example"',
        "https://Ä.example",
        "https://a.example?x=1",
    ),
    notString,
);
const badHeader = fc.oneof(fc.constantFrom("", "X Header", "X_Header", "X:Y", "é", "X\nY", "X,Y"), notString);
/** A list that is not a list, has a bad item, or (unless an empty list is allowed) is empty. */
const badList = (item: fc.Arbitrary<unknown>, emptyAllowed = false) =>
    fc.oneof(fc.constant(emptyAllowed ? [null] : []), fc.array(item, { minLength: 1, maxLength: 3 }), fc.constant([null]), notObject.filter((v) => !Array.isArray(v)));
const badServer = fc.oneof(fc.constantFrom("", "https://ghcr.io", "ghcr.io/path", "ghcr.io:abc", "a:1:2", "GHCR.IO", "ghcr", "ghcr.io:"), notString);
const badUsername = fc.oneof(fc.constantFrom("", "a:b", "a b", "a\nb", "ci\u0000"), notString);
const badRelativePath = fc.oneof(fc.constantFrom("", "/abs", "../up", "a/../../b", "a b", "é"), notString);

// --- slots ------------------------------------------------------------------------------------

/** Leaves of one layer of service settings, relative to the layer. */
const SERVICE_LEAVES: readonly [Path, fc.Arbitrary<unknown>][] = [
    [["port"], badInt(1, 65535)],
    [["servicePort"], badInt(1, 65535)],
    [["replicas"], badInt(0, 1000)],
    [["runAsUser"], badInt(1, 2147483647)],
    [["tier"], badDnsLabel],
    [["image", "repository"], badRepository],
    [["image", "tag"], badTag],
    [["image", "digest"], badDigest],
    [["build", "context"], badRelativePath],
    [["probes", "liveness"], badHttpPath],
    [["probes", "readiness"], badHttpPath],
    [["probes", "startup"], badHttpPath],
    ...(["requests", "limits"] as const).flatMap((k) => (["cpu", "memory"] as const).map((r): [Path, fc.Arbitrary<unknown>] => [["resources", k, r], badQuantity])),
    [["autoscaling", "enabled"], badBool],
    [["autoscaling", "minReplicas"], badInt(1, 1000)],
    [["autoscaling", "maxReplicas"], badInt(1, 1000)],
    [["autoscaling", "targetCPUUtilization"], badInt(1, 100)],
    [["autoscaling", "targetMemoryUtilization"], badInt(1, 100)],
    [["pdb", "enabled"], badBool],
    [["pdb", "maxUnavailable"], badInt(1, 1000)],
    [["pdb", "minAvailable"], badInt(1, 1000)],
    [["env", "SOME_SETTING"], fc.oneof(fc.constant([]), fc.constant({}), fc.constant({ a: 1 }), deep)],
    [["secrets", "SOME_SECRET"], fc.oneof(badConfigKey.map((k) => ({ fromConfig: k })), badInt(16, 128).map((length) => ({ generate: { length } })), fc.constantFrom({}, { fromConfig: "brokerApiKey", generate: {} }, "generate", 42, []))],
    [["allowFrom"], badList(badDnsLabel, true)],
    [["ingress", "enabled"], badBool],
    [["ingress", "hostPrefix"], badDnsLabel],
    [["ingress", "path"], badHttpPath],
    [["ingress", "cors", "allowOrigins"], badList(badOrigin)],
    [["ingress", "cors", "allowMethods"], badList(badEnum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]))],
    [["ingress", "cors", "allowHeaders"], badList(badHeader)],
    [["ingress", "cors", "allowCredentials"], badBool],
];

const ENVIRONMENT_LEAVES: readonly [Path, fc.Arbitrary<unknown>][] = [
    [["name"], badDnsLabel],
    [["namespace"], badDnsLabel],
    [["domain"], badHost],
    [["cluster", "kubeconfigSecret"], badConfigKey],
    [["logLevel"], badEnum(["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])],
    [["telemetryEndpoint"], badUrl],
    [["ingress", "className"], badDnsLabel],
    [["ingress", "clusterIssuer"], badDnsLabel],
    [["ingress", "controllerNamespace"], badDnsLabel],
    [["imageTag"], badTag],
    [["registry", "server"], badServer],
    [["registry", "repositoryPrefix"], fc.oneof(inject("acme-trading", ["A", " ", "@", ":", "é", "\n", "*"]), fc.constantFrom("", "/acme", "acme/"), notString)],
    [["registry", "username"], badUsername],
    [["registry", "passwordSecret"], badConfigKey],
    [["registry", "cache"], badBool],
    [["buildOnPreview"], badBool],
    [["rollout", "progressDeadlineSeconds"], badInt(30, 3600)],
    [["rollout", "awaitTimeoutSeconds"], badInt(30, 7200)],
    [["commonEnv", "SOME_SETTING"], fc.oneof(fc.constant([]), fc.constant({ a: 1 }), deep)],
];

/** Objects with a fixed set of keys, relative to a service layer. */
const SERVICE_OBJECTS: readonly Path[] = [[], ["image"], ["build"], ["probes"], ["resources"], ["resources", "requests"], ["resources", "limits"], ["autoscaling"], ["pdb"], ["ingress"], ["ingress", "cors"]];
const ENVIRONMENT_OBJECTS: readonly Path[] = [[], ["cluster"], ["ingress"], ["registry"], ["rollout"]];

/** Every key any object of the configuration allows, so that a generated unknown key is surely unknown. */
const KNOWN_KEYS = new Set<string>([
    ...Object.keys(service.shape),
    ...["system", "tiers", "commonEnv", "defaults", "services", "requests", "limits", "cpu", "memory"],
    ...["name", "namespace", "domain", "cluster", "logLevel", "telemetryEndpoint", "ingress", "imageTag", "registry", "buildOnPreview", "rollout", "serviceDefaults"],
    ...["context", "kubeconfigSecret", "className", "clusterIssuer", "controllerNamespace", "server", "repositoryPrefix", "username", "passwordSecret", "cache"],
    ...["progressDeadlineSeconds", "awaitTimeoutSeconds", "repository", "tag", "digest", "target", "dockerfile", "args", "platforms", "liveness", "readiness", "startup"],
    ...["enabled", "minReplicas", "maxReplicas", "targetCPUUtilization", "targetMemoryUtilization", "maxUnavailable", "minAvailable", "hostPrefix", "path", "cors"],
    ...["allowOrigins", "allowMethods", "allowHeaders", "allowCredentials", "fromConfig", "generate", "length"],
]);
const unknownKey = fc
    .oneof(
        fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "replcias", "Port", "port ", "", " ", "ключ", "🔑", "a.b", "a: b", "\u0000", "null", "~", "<<"),
        fc.string({ minLength: 1, maxLength: 16 }),
        long("k", 1000),
    )
    .filter((k) => !KNOWN_KEYS.has(k));
/** A value that is not null (null means "left out", which is allowed anywhere). */
const someValue = fc.oneof(notObject, fc.constant({ a: 1 }), fc.string());

// --- mutations --------------------------------------------------------------------------------

interface Base {
    readonly stack: string;
    readonly config: StackConfig;
    readonly values: Values;
    readonly services: readonly string[];
    /** Services without a public ingress. */
    readonly internal: readonly string[];
    readonly tiers: readonly string[];
    /** Secret config keys the catalog and environment name. */
    readonly secretKeys: readonly string[];
}

function baseOf(stack: string): Base {
    const config = stackConfig(stack);
    const values: Values = { catalog: JSON.parse(config.config[`${P}catalog`]), environment: JSON.parse(config.config[`${P}environment`]) };
    const services = Object.keys(values.catalog.services).sort();
    const secretKeys = new Set<string>();
    for (const layer of [values.catalog.defaults, values.environment.serviceDefaults, ...Object.values(values.catalog.services), ...Object.values(values.environment.services ?? {})]) {
        for (const s of Object.values(layer?.secrets ?? {})) if (typeof (s as any)?.fromConfig === "string") secretKeys.add((s as any).fromConfig);
    }
    if (values.environment.cluster?.kubeconfigSecret) secretKeys.add(values.environment.cluster.kubeconfigSecret);
    if (values.environment.registry?.passwordSecret) secretKeys.add(values.environment.registry.passwordSecret);
    return {
        stack,
        config,
        values,
        services,
        internal: services.filter((s) => !values.catalog.services[s].ingress),
        tiers: Object.keys(values.catalog.tiers).sort(),
        secretKeys: [...secretKeys].sort(),
    };
}

const setting = (family: string, path: Path, value: unknown, blame: readonly string[] = [text(path)]): Mutation => ({
    family,
    label: `${text(path)} = ${JSON.stringify(value)?.slice(0, 80)}`,
    blame,
    apply: (s) => setAt(s.values, path, value),
});

function mutations(base: Base): fc.Arbitrary<Mutation> {
    const svc = fc.constantFrom(...base.services);
    const layer = svc.chain((name) =>
        fc.constantFrom<Path>(["catalog", "defaults"], ["catalog", "services", name], ["environment", "serviceDefaults"], ["environment", "services", name]),
    );
    const lastLayer = svc.map((name): Path => ["environment", "services", name]);

    const leaf = fc.oneof(
        fc.tuple(layer, fc.constantFrom(...SERVICE_LEAVES)).chain(([root, [rel, bad]]) => bad.map((v) => setting("wrong value", [...root, ...rel], v))),
        fc.constantFrom(...ENVIRONMENT_LEAVES).chain(([rel, bad]) => bad.map((v) => setting("wrong value", ["environment", ...rel], v))),
        fc.tuple(fc.constantFrom(...base.tiers), fc.constantFrom("requests", "limits"), fc.constantFrom("cpu", "memory"), badQuantity).map(([t, k, r, v]) =>
            setting("wrong value", ["catalog", "tiers", t, k, r], v),
        ),
        badDnsLabel.map((v) => setting("wrong value", ["catalog", "system"], v)),
        fc.oneof(fc.constant([]), fc.constant({ a: 1 }), deep).map((v) => setting("wrong value", ["catalog", "commonEnv", "SOME_SETTING"], v)),
    );

    const objects = fc.oneof(
        fc.tuple(layer, fc.constantFrom(...SERVICE_OBJECTS)).map(([root, rel]) => [...root, ...rel]),
        fc.constantFrom(...ENVIRONMENT_OBJECTS).map((rel) => ["environment", ...rel]),
        fc.constantFrom<Path>(["catalog"]),
        fc.constantFrom(...base.tiers).chain((t) => fc.constantFrom<Path>(["catalog", "tiers", t], ["catalog", "tiers", t, "requests"])),
    );
    const unknown = fc.tuple(objects, unknownKey, someValue).map(([path, key, value]) => setting("unknown key", [...path, key], value));
    const manyUnknown = fc.tuple(objects, fc.integer({ min: 500, max: 2000 })).map(([path, n]) => ({
        ...setting("huge value", path, {}),
        label: `${text(path)} with ${n} unknown keys`,
        blame: [text(path)],
        apply: (s: State) => {
            for (let i = 0; i < n; i++) setAt(s.values, [...path, `unknown${i}`], i);
        },
    }));

    const containers = fc.oneof(
        objects,
        svc.chain((name) => fc.constantFrom<Path>(["catalog", "services", name], ["catalog", "services", name, "env"], ["catalog", "services", name, "secrets"])),
        fc.constantFrom<Path>(["catalog", "services"], ["catalog", "tiers"], ["catalog", "commonEnv"], ["catalog", "defaults"], ["environment", "services"], ["environment", "serviceDefaults"], ["environment", "commonEnv"]),
    );
    const wrongType = fc.tuple(containers, notObject).map(([path, v]) => setting("object replaced by a scalar or list", path, v));

    const badKey = fc.oneof(
        fc.tuple(badServiceName, svc).map(([key, name]) => setting("bad name", ["catalog", "services", key as string], { ...base.values.catalog.services[name] })),
        fc.tuple(fc.oneof(badDnsLabel.filter((v) => typeof v === "string" && v !== ""), fc.constantFrom("nosuch-service", "orchestrator2")), fc.constant({ replicas: 2 })).map(([key, v]) =>
            setting("bad name", ["environment", "services", key as string], v),
        ),
        fc.tuple(badDnsLabel.filter((v) => typeof v === "string" && v !== ""), fc.constantFrom(...base.tiers)).map(([key, t]) => setting("bad name", ["catalog", "tiers", key as string], base.values.catalog.tiers[t])),
        fc.tuple(badEnvName, fc.oneof(layer.map((l) => [...l, "env"]), layer.map((l) => [...l, "secrets"]), fc.constantFrom<Path>(["catalog", "commonEnv"], ["environment", "commonEnv"]))).map(([key, path]) =>
            setting("bad name", [...path, key], path[path.length - 1] === "secrets" ? { generate: { length: 32 } } : "value"),
        ),
    );

    const requiredPaths: fc.Arbitrary<{ path: Path; blame: readonly string[] }> = fc.oneof(
        fc.constantFrom({ path: ["catalog", "system"], blame: ["catalog.system"] }, { path: ["catalog", "services"], blame: ["catalog.services"] }),
        fc.constantFrom("namespace", "domain", "cluster").map((k) => ({ path: ["environment", k], blame: [`environment.${k}`] })),
        svc.map((name) => ({ path: ["catalog", "services", name, "port"], blame: [`catalog.services.${name}.port`] })),
        svc.map((name) => ({ path: ["catalog", "services", name, "image"], blame: [`catalog.services.${name}.image`, `environment.services.${name}.image`] })),
        fc.constantFrom("liveness", "readiness").map((p) => ({ path: ["catalog", "defaults", "probes", p], blame: ["catalog.services"] })),
    );
    const missing = fc.oneof(
        fc.tuple(requiredPaths, fc.boolean()).map(([{ path, blame }, asNull]) => ({
            family: "missing required key",
            label: `${text(path)} ${asNull ? "= null" : "removed"}`,
            blame,
            apply: (s: State) => (asNull ? setAt(s.values, path, null) : deleteAt(s.values, path)),
        })),
        fc.constant({ ...setting("missing required key", ["catalog", "services"], {}), label: "catalog.services = {}" }),
        fc.constant({
            family: "missing required key",
            label: "the tier of serviceDefaults removed",
            blame: ["environment.serviceDefaults.tier"],
            apply: (s: State) => deleteAt(s.values, ["catalog", "tiers", String(base.values.environment.serviceDefaults.tier)]),
        }),
    );

    const relational = fc.oneof(
        lastLayer.map((l) => setting("contradiction", [...l, "autoscaling"], { enabled: true, minReplicas: 5, maxReplicas: 3 }, [text(l)])),
        lastLayer.map((l) => setting("contradiction", [...l, "resources"], { requests: { cpu: "4" }, limits: { cpu: "1" } }, [text(l)])),
        lastLayer.map((l) => setting("contradiction", [...l, "pdb"], { minAvailable: 1000 }, [text(l)])),
        svc.map((name) => setting("contradiction", ["environment", "services", name, "allowFrom"], [name])),
        lastLayer.map((l) => setting("contradiction", [...l, "allowFrom"], ["nosuch-service"])),
        lastLayer.map((l) => setting("contradiction", [...l, "tier"], "nosuch-tier")),
        lastLayer.map((l) => ({
            ...setting("contradiction", [...l, "env"], {}, [text(l)]),
            label: `${text(l)}: DUP both plain and secret`,
            apply: (s: State) => {
                setAt(s.values, [...l, "env", "DUP"], "plain");
                setAt(s.values, [...l, "secrets", "DUP"], { generate: { length: 32 } });
            },
        })),
        lastLayer.map((l) => setting("contradiction", [...l, "build"], { context: "services/x" }, [text(l), `catalog.services.${l[2]}`])),
        ...(base.internal.length > 0
            ? [
                  fc.constantFrom(...base.internal).map((name) =>
                      setting("contradiction", ["environment", "services", name, "ingress"], { enabled: true }, [`catalog.services.${name}.ingress`, `environment.services.${name}.ingress`]),
                  ),
                  fc.constantFrom(...base.internal).map((name) =>
                      setting("contradiction", ["environment", "services", name, "ingress"], { hostPrefix: "x", cors: { allowMethods: ["GET"] } }, [
                          `catalog.services.${name}.ingress`,
                          `environment.services.${name}.ingress`,
                      ]),
                  ),
              ]
            : []),
        fc.constant(setting("contradiction", ["environment", "registry"], { server: "ghcr.io", username: "ci" })),
        fc.constantFrom({}, { context: "c", kubeconfigSecret: "kubeconfig" }).map((v) => setting("contradiction", ["environment", "cluster"], v)),
        fc.constant(setting("contradiction", ["environment", "rollout"], { progressDeadlineSeconds: 600, awaitTimeoutSeconds: 300 })),
    );

    const huge = fc.oneof(
        fc.tuple(layer, fc.integer({ min: 1000, max: 5000 })).map(([l, n]) => ({
            ...setting("huge value", [...l, "allowFrom"], []),
            label: `${text([...l, "allowFrom"])}: ${n} bad names`,
            apply: (s: State) => setAt(s.values, [...l, "allowFrom"], Array.from({ length: n }, (_, i) => `Bad_${i}`)),
        })),
        fc.constantFrom<Path>(["environment", "namespace"], ["environment", "name"], ["catalog", "system"]).map((path) => setting("huge value", path, "a".repeat(1_000_000))),
        fc.tuple(layer, deep).map(([l, v]) => setting("huge value", [...l, "port"], v)),
    );

    const rawText = fc.tuple(
        fc.constantFrom("catalog" as const, "environment" as const),
        fc.constantFrom("", "{", "[1,", "null", "~", "yes", "42", "[]", "{}", '{"services": }', "\uFEFF{}", "{'a': 1}", "services:\n  x: {}", "[{}]", "true", null),
    ).map(([key, t]) => ({
        family: "raw text",
        label: `${key} given as ${JSON.stringify(t)}`,
        blame: [key],
        apply: (s: State) => (s.raw[key] = t),
    }));

    const configKeys = fc.oneof(
        // Pulumi has no config key with an empty name.
        fc.tuple(unknownKey, fc.string()).filter(([k]) => k !== "" && !(`${P}${k}` in base.config.config) && !(CONFIG_KEYS as readonly string[]).includes(k) && k !== "github").map(([k, v]) => ({
            family: "config key",
            label: `unknown config key ${JSON.stringify(k).slice(0, 40)}`,
            blame: [k],
            apply: (s: State) => put(s.config, `${P}${k}`, v),
        })),
        fc.constantFrom(...base.secretKeys).map((k) => ({
            family: "config key",
            label: `secret ${k} set as plain text`,
            blame: [k],
            mentions: `pulumi config set --secret ${k}`,
            apply: (s: State) => s.secretKeys.delete(`${P}${k}`),
        })),
        fc.constantFrom(...base.secretKeys).map((k) => ({
            family: "config key",
            label: `secret ${k} not set`,
            blame: [k],
            mentions: `pulumi config set --secret ${k}`,
            apply: (s: State) => {
                delete s.config[`${P}${k}`];
                s.secretKeys.delete(`${P}${k}`);
            },
        })),
    );

    return fc.oneof(
        { arbitrary: leaf, weight: 8 },
        { arbitrary: unknown, weight: 3 },
        { arbitrary: wrongType, weight: 3 },
        { arbitrary: badKey, weight: 3 },
        { arbitrary: missing, weight: 2 },
        { arbitrary: relational, weight: 2 },
        { arbitrary: rawText, weight: 1 },
        { arbitrary: configKeys, weight: 2 },
        { arbitrary: huge, weight: 1 },
        { arbitrary: manyUnknown, weight: 1 },
    );
}

/** Valid but hostile additions, mixed in with the mistakes: names that are Object.prototype members, unicode values. */
function hostileButValid(base: Base): fc.Arbitrary<(s: State) => void> {
    const name = fc.constantFrom("constructor", "toString", "valueOf", "hasOwnProperty", "isPrototypeOf", "__defineGetter__", "HOSTILE");
    const value = fc.oneof(fc.string({ unit: "grapheme", maxLength: 20 }), fc.constantFrom("ünïcødé 🚀", "line\nbreak", "\u202e evil", "$(rm -rf /)", "`id`", "'; DROP TABLE x; --"));
    return fc.tuple(fc.constantFrom(...base.services), name, value, fc.boolean()).map(([svc, n, v, secret]) => (s: State) => {
        const path = ["environment", "services", svc, secret ? "secrets" : "env", n];
        setAt(s.values, path, secret ? { generate: { length: 32 } } : v);
    });
}

// --- checks -----------------------------------------------------------------------------------

/** Whether a problem is at, above or below a key path. */
function relates(problem: string, blame: string): boolean {
    const b = P + blame;
    if (problem.startsWith(b) && [":", ".", "["].includes(problem.charAt(b.length))) return true;
    for (let i = problem.indexOf(": "); i >= 0; i = problem.indexOf(": ", i + 1)) {
        const path = problem.slice(0, i);
        if (b.startsWith(`${path}.`) || b.startsWith(`${path}[`)) return true;
    }
    return false;
}

function build(base: Base, muts: readonly Mutation[], extras: readonly ((s: State) => void)[]): StackConfig {
    const state: State = {
        values: JSON.parse(JSON.stringify(base.values)),
        config: { ...base.config.config },
        secretKeys: new Set(base.config.secretKeys),
        raw: {},
    };
    for (const extra of extras) extra(state);
    for (const m of muts) m.apply(state);
    for (const key of ["catalog", "environment"] as const) {
        const raw = state.raw[key];
        if (raw === null) delete state.config[`${P}${key}`];
        else put(state.config, `${P}${key}`, raw ?? JSON.stringify(state.values[key]));
    }
    return { ...base.config, config: state.config, secretKeys: [...state.secretKeys].sort() };
}

describe("hostile configuration, generated (fast-check)", function () {
    this.timeout(600_000);
    const bases = new Map(["staging", "production"].map((s) => [s, baseOf(s)]));

    it(`refuses every malformed configuration with a ConfigError naming key paths (${RUNS} runs)`, async () => {
        let count = 0;
        const families = new Map<string, number>();
        const cases = fc.constantFrom(...bases.keys()).chain((stack) => {
            const base = bases.get(stack)!;
            return fc.record({
                stack: fc.constant(stack),
                muts: fc.array(mutations(base), { minLength: 1, maxLength: 3 }),
                extras: fc.array(hostileButValid(base), { maxLength: 2 }),
            });
        });
        await fc.assert(
            fc.asyncProperty(cases, async ({ stack, muts, extras }) => {
                count++;
                for (const m of muts) families.set(m.family, (families.get(m.family) ?? 0) + 1);
                const where = `${stack}: ${muts.map((m) => m.label).join("; ")}`;
                const problems = await refused(build(bases.get(stack)!, muts, extras), { where });
                for (const p of problems) {
                    // `<project>:<key path>: <message>`; a generated key may itself hold any character.
                    assert.match(p, /^hft-platform:[^]*: \S/, `${where}: a problem without a key path: ${p.slice(0, 200)}`);
                }
                assert.ok(
                    muts.some((m) => m.blame.some((b) => problems.some((p) => relates(p, b)))),
                    `${where}: no problem at ${muts.flatMap((m) => m.blame).join(" or ")}:\n${problems.slice(0, 10).join("\n")}`,
                );
                for (const m of muts.length === 1 ? muts : []) {
                    assert.ok(m.blame.some((b) => problems.some((p) => relates(p, b))), `${where}: no problem at ${m.blame.join(" or ")}:\n${problems.slice(0, 10).join("\n")}`);
                    if (m.mentions) assert.ok(problems.some((p) => p.includes(m.mentions!)), `${where}: no problem says ${m.mentions}`);
                }
            }),
            { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
        const summary = [...families].sort(([a], [b]) => a.localeCompare(b)).map(([f, n]) => `${f} ${n}`).join(", ");
        console.log(`      fuzz: ${count} malformed configurations refused, each with a ConfigError naming key paths (seed ${SEED}; mistakes: ${summary})`);
        assert.equal(count, RUNS);
    });
});

describe("hostile configuration: what the fuzz found", () => {
    const problemsOf = (stack: string, edit: (v: Values) => void) => refused(editedConfig(stack, edit));

    it("a secret named like an Object member (toString) deploys instead of crashing", async () => {
        const ev = await run(editedConfig("staging", (v) => (v.environment.services = { execution: { secrets: { toString: { generate: { length: 32 } } } } })));
        const secret = ev.resources.find((r) => r.name === "execution-secrets");
        assert.deepEqual(Object.keys(unwrap(secret?.inputs.stringData)), ["BROKER_API_KEY", "toString"]);
    });

    it("'__proto__' as a variable name is refused, not silently dropped", async () => {
        assert.deepEqual(
            await problemsOf("staging", (v) => put(v.catalog.services.execution.env, "__proto__", "x")),
            [`${P}catalog.services.execution.env.__proto__: "__proto__" is not an environment variable name: '__proto__' is reserved (it would be dropped on the way into the ConfigMap or Secret)`],
        );
    });

    it("a config key '__proto__' is reported as unknown, not swallowed", async () => {
        const config = stackConfig("staging");
        const problems = await refused({ ...config, config: { ...config.config, [`${P}__proto__`]: "x" } });
        assert.match(problems[0], /^hft-platform:__proto__: unknown config key/);
    });

    it("a service name must start with a letter (it names a Kubernetes Service)", async () => {
        const problems = await problemsOf("staging", (v) => (v.catalog.services["1risk"] = v.catalog.services["risk-manager"]));
        assert.equal(
            problems[0],
            `${P}catalog.services.1risk: "1risk" is not a service name (DNS-1123 label: lowercase letters, digits and '-', at most 63): must start with a letter: it names a Kubernetes Service, which needs a DNS-1035 label`,
        );
    });

    it("values that reach annotations or ConfigMaps: a CORS origin port, a telemetry URL with a newline or a password, a registry user with ':'", async () => {
        assert.deepEqual(await problemsOf("staging", (v) => (v.catalog.services.orchestrator.ingress.cors.allowOrigins = ["https://dashboard.example:99999"])), [
            `${P}catalog.services.orchestrator.ingress.cors.allowOrigins[0]: expected an origin such as 'https://app.example.com', got "https://dashboard.example:99999" (the port must be from 1 to 65535)`,
        ]);
        const url = (u: string) => `${P}environment.telemetryEndpoint: expected an http(s) URL such as 'http://otel-collector.observability:4318', got ${JSON.stringify(u)}`;
        assert.deepEqual(await problemsOf("staging", (v) => (v.environment.telemetryEndpoint = "http://otel\n.example:4318")), [`${url("http://otel\n.example:4318")} (no spaces or control characters)`]);
        assert.deepEqual(await problemsOf("staging", (v) => (v.environment.telemetryEndpoint = "http://u:pw@otel.example:4318")), [
            `${url("http://u:pw@otel.example:4318")} (no user or password in the URL: it is stored in a ConfigMap; use a secret)`,
        ]);
        assert.deepEqual(await problemsOf("staging", (v) => (v.environment.registry.username = "ci:bot")), [
            `${P}environment.registry.username: expected a registry user name, got "ci:bot" (no ':', spaces or control characters)`,
        ]);
    });

    it("a quantity Kubernetes would silently cap", async () => {
        assert.deepEqual(await problemsOf("staging", (v) => (v.catalog.tiers.standard.limits.memory = "16Ei")), [
            `${P}catalog.tiers.standard.limits.memory: expected a Kubernetes quantity such as "250m", "1", "512Mi" or "2Gi", got "16Ei" (too large: Kubernetes caps quantities at 2^63-1)`,
        ]);
        assert.deepEqual(await problemsOf("staging", (v) => (v.catalog.tiers.standard.limits.cpu = 1e20)), [
            `${P}catalog.tiers.standard.limits.cpu: expected a Kubernetes quantity such as "250m", "1", "512Mi" or "2Gi", got 100000000000000000000`,
        ]);
    });

    it("thousands of problems are collected quickly (no quadratic de-duplication)", async function () {
        this.timeout(10_000);
        const start = Date.now();
        const problems = await problemsOf("staging", (v) => (v.catalog.services.execution.allowFrom = Array.from({ length: 20_000 }, (_, i) => `Bad_${i}`)));
        assert.equal(problems.length, 20_000);
        assert.ok(Date.now() - start < 5_000, `took ${Date.now() - start} ms`);
    });
});
