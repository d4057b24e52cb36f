import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/errors";
import { dnsLabel } from "../config/formats";
import { readPlatformConfig } from "../config/platform";
import { exampleProblem, OWN_EXAMPLES, text } from "../config/schema/fields";
import { service } from "../config/schema/service";
import { sectionSchema } from "../tools/generate/jsonSchema";
import { exampleOf, keysOf } from "../tools/generate/reference";
import { schemaValidator } from "./schemaValidator";
import { PROJECT, REPO, stackConfig } from "./support";

/**
 * docs/configuration.md gives every key an example (tools/generate/reference.ts). Each must be
 * a value the key takes: its JSON Schema accepts it, and the configuration reader does at its
 * place in a real configuration.
 */

type Schema = Record<string, unknown>;
const defs = (JSON.parse(fs.readFileSync(path.join(REPO, "schemas", "stack.schema.json"), "utf8")) as { $defs: Record<string, Schema> }).$defs;
/** Each section of the reference: where its keys are written, its schema, and the keys that have a section of their own. */
const SECTIONS: readonly (readonly [string, Schema, readonly string[]])[] = [
    ["catalog", defs.catalog, ["defaults", "services.<name>"]],
    ["environment", defs.environment, ["serviceDefaults", "services.<name>"]],
    // A service's settings, written for production's orchestrator in the stack file.
    ["environment.services.orchestrator", sectionSchema(service), []],
    ["github", defs.github, []],
];
const KEYS = SECTIONS.flatMap(([at, schema, stopAt]) => keysOf(schema, stopAt).map((k) => ({ ...k, at, section: schema })));

/**
 * Examples that need settings production does not have, or describe another service than
 * orchestrator: the reader refuses them there for a reason that is not the example's.
 */
const NEEDS_ANOTHER_CONFIGURATION: Readonly<Record<string, string>> = {
    "environment.adopt": "production's orchestrator has a canary, which adoption refuses",
    "environment.gateway": "production exposes through Ingresses (exposure: ingress)",
    "environment.mutableTags": "production is protected and promoted from staging",
    "environment.services": "its example names a service 'api', which the HFT catalog has not",
    "environment.services.<name>": "the same",
    "environment.services.orchestrator.allowFrom": "its example lets orchestrator call itself",
    "environment.services.orchestrator.build": "orchestrator runs a prebuilt image",
    "environment.services.orchestrator.job": "orchestrator is a web service, not a cronjob",
    "environment.services.orchestrator.resources.limits": "orchestrator's tier requests more CPU than the example's limit",
    "environment.services.orchestrator.resources.limits.cpu": "the same",
    "environment.services.orchestrator.tier": "the HFT catalog's tiers are 'standard' and 'performance'",
};

/** Production's configuration with `example` written at `key` of the section written at `at` (a map's `<name>` is its example name). */
function withExample(at: string, section: Schema, key: string, example: unknown): { values: Record<string, unknown>; path: string } {
    const config = stackConfig("production").config;
    const values: Record<string, any> = Object.fromEntries(["catalog", "environment", "github"].map((k) => [k, JSON.parse(config[`${PROJECT}:${k}`] ?? "{}")]));
    let schema: Schema | undefined = section;
    const written: string[] = at.split(".");
    for (const segment of key.split(".")) {
        const full: Schema | undefined = Array.isArray(schema?.anyOf) ? (schema.anyOf as Schema[]).find((s) => s.type === "object") : schema;
        const named = segment === "<name>";
        written.push(named ? String(((full?.propertyNames as Schema | undefined)?.examples as unknown[])[0]) : segment);
        schema = (named ? full?.additionalProperties : (full?.properties as Record<string, Schema> | undefined)?.[segment]) as Schema | undefined;
    }
    let target = values;
    written.slice(0, -1).forEach((s) => (target = typeof target[s] === "object" && target[s] !== null ? target[s] : (target[s] = {})));
    target[written.at(-1)!] = example;
    return { values, path: `${PROJECT}:${written.join(".")}` };
}

const secrets = { isSet: () => true, isSecret: () => true, value: () => pulumi.secret("a-secret-value") };

describe("the configuration reference (docs/configuration.md)", () => {
    it("gives every key an example, and each example is a value its key's JSON Schema accepts", () => {
        const check = schemaValidator();
        assert.ok(KEYS.length > 300, `${KEYS.length} keys`);
        const problems = KEYS.flatMap(({ key, schema }) => {
            const example = exampleOf(schema);
            if (example === undefined) return [`${key}: no example`];
            const valid = check.compile(schema);
            return valid(example) ? [] : [`${key}: ${JSON.stringify(example)} ${(valid.errors ?? []).map((e) => `${e.instancePath} ${e.message}`).join(", ")}`];
        });
        assert.deepEqual(problems, []);
    });

    it("each example, written at its key in production's configuration, is one the configuration reader accepts there", () => {
        const refused: string[] = [];
        const needed: string[] = [];
        for (const { key, schema, at, section } of KEYS) {
            const full = `${at}.${key}`;
            const { values, path: written } = withExample(at, section, key, exampleOf(schema));
            let problems: readonly string[] = [];
            try {
                readPlatformConfig({ project: PROJECT, stack: "production", values, dryRun: false, ciEnv: {} }, secrets);
            } catch (e) {
                if (!(e instanceof ConfigError)) throw e;
                problems = e.problems.filter((p) => p.startsWith(`${written}:`) || p.startsWith(`${written}.`) || p.startsWith(`${written}[`));
            }
            if (problems.length > 0 && !Object.hasOwn(NEEDS_ANOTHER_CONFIGURATION, full)) refused.push(...problems);
            if (problems.length > 0 && Object.hasOwn(NEEDS_ANOTHER_CONFIGURATION, full)) needed.push(full);
        }
        assert.deepEqual(refused, []);
        assert.deepEqual(needed.sort(), Object.keys(NEEDS_ANOTHER_CONFIGURATION).sort(), "each listed example is still refused in production, or comes off the list");
    });

    it("every example a text value or a map's names give is one its own check, pattern and reservation accept; one they refuse is named", () => {
        assert.ok(OWN_EXAMPLES.length > 100, `${OWN_EXAMPLES.length} examples recorded`);
        assert.deepEqual(OWN_EXAMPLES.map(exampleProblem).filter((p) => p !== undefined), []);
        assert.equal(exampleProblem({ example: "Staging_1", check: dnsLabel, expected: "a DNS-1123 label" })?.startsWith('the example "Staging_1" of a DNS-1123 label is refused by its own check'), true);
        assert.match(exampleProblem({ example: "latest", pattern: /^v\d+$/, expected: "a tag" }) ?? "", /refused by its own check \(does not match/);
        // LOG_LEVEL is set by the platform: the reservation of commonEnv's (and env's) names refuses it as their example.
        const asEnvNames = OWN_EXAMPLES.filter((e) => e.example === "LOG_FORMAT").map((e) => exampleProblem({ ...e, example: "LOG_LEVEL" }));
        assert.ok(asEnvNames.some((p) => p !== undefined && /'LOG_LEVEL' is set by the platform/.test(p)), String(asEnvNames));
        // text() takes its example from the allowed form's "such as" when it is given none.
        text({ expected: "a region such as 'eu-west-1'" });
        assert.equal(OWN_EXAMPLES.at(-1)?.example, "eu-west-1");
    });

    it("shows each key's example in its row", () => {
        const doc = fs.readFileSync(path.join(REPO, "docs", "configuration.md"), "utf8");
        const rows = doc.split("\n").filter((l) => l.startsWith("| `"));
        assert.equal(rows.filter((r) => r.endsWith("|  |")).length, 0, "a row without an example");
        assert.ok(rows.some((r) => r.startsWith("| `catalog.tiers.<name>.requests.cpu` |") && r.endsWith("| `250m` |")), "a CPU amount's example");
        assert.ok(rows.some((r) => r.startsWith("| `environment.services` |") && r.includes('`{"api":')), "a map's example: a name and a value");
    });
});
