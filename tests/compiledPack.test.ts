import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { RULES } from "../policy/rules";
import { existingPolicyPack, policyPackFiles } from "../tools/generate/policyPack";
import { container, deployment, pdb, workload } from "./policyFixtures";
import { compiledPack, PackConfig, policyResources, runPack } from "./policyRunner";
import { editedConfig, REPO, run } from "./support";

/**
 * policy-pack/, the policy pack compiled to JavaScript by `npm run generate` (what CI runs with
 * `--policy-pack policy-pack`): what it holds, and that it judges as its source policy/ does.
 * Served by Pulumi's runner, against policy/ served the same way: e2e/policyPack.test.ts.
 */
describe("policy-pack/, the compiled policy pack", () => {
    const read = (file: string) => fs.readFileSync(path.join(REPO, file), "utf8");

    it("is exactly what `npm run generate` compiles from policy/, and compiling twice gives the same bytes", () => {
        const files = policyPackFiles();
        assert.deepEqual(policyPackFiles(), files);
        assert.deepEqual(existingPolicyPack(REPO), Object.keys(files).sort());
        for (const [file, content] of Object.entries(files)) assert.equal(read(file), content, `${file} is stale: run npm run generate`);
    });

    it("is a JavaScript pack: one .js module per policy/ module, main index.js, policy/'s version, its own PulumiPolicy.yaml", () => {
        const files = Object.keys(policyPackFiles());
        const modules = (dir: string, ext: string) =>
            fs
                .readdirSync(path.join(REPO, dir), { recursive: true, encoding: "utf8" })
                .filter((f) => f.endsWith(ext))
                .map((f) => f.split(path.sep).join("/").slice(0, -ext.length))
                .sort();
        assert.deepEqual(modules("policy-pack", ".js"), modules("policy", ".ts"));
        assert.deepEqual(files.filter((f) => f.endsWith(".ts")), []);
        const pkg = JSON.parse(read("policy-pack/package.json")) as Record<string, unknown>;
        const source = JSON.parse(read("policy/package.json")) as Record<string, unknown>;
        assert.equal(pkg.main, "index.js");
        assert.deepEqual([pkg.name, pkg.version, pkg.dependencies], [source.name, source.version, source.dependencies]);
        assert.deepEqual(YAML.parse(read("policy-pack/PulumiPolicy.yaml")), YAML.parse(read("policy/PulumiPolicy.yaml")));
    });

    it("names no path of the machine that compiled it", () => {
        for (const [file, content] of Object.entries(policyPackFiles())) assert.ok(!content.includes(REPO) && !/sourceMappingURL/.test(content), file);
    });

    it("finds what policy/ finds on both stacks, a stack that breaks a policy, and failing fixtures, at every pack config", async () => {
        const compiled = compiledPack();
        assert.notEqual(compiled.RULES[0], RULES[0], "the compiled modules, not the source loaded again");
        assert.deepEqual(
            compiled.RULES.map((r) => [r.name, r.enforcementLevel, r.config]),
            RULES.map((r) => [r.name, r.enforcementLevel, r.config]),
        );
        const broken = await run(
            editedConfig("production", (v) => {
                v.catalog.services.execution.sidecars = { "log-shipper": { image: "docker.io/fluent/fluent-bit:3.1.9", resources: { limits: { memory: "96Mi" } } } };
            }),
        );
        const bad = deployment({ replicas: 1, containers: [container({ image: "ghcr.io/acme/api:1.4.2", securityContext: {} })] });
        const statefulSet = workload("StatefulSet", { replicas: 3, volumes: [{ name: "data", hostPath: { path: "/mnt/data" } }] });
        const inputs = [
            policyResources(await run("staging"), "staging"),
            policyResources(await run("production"), "production"),
            policyResources(broken, "production"),
            { inputs: [bad, statefulSet], outputs: [bad, statefulSet, pdb({ maxUnavailable: 1 }, "other", "elsewhere")] },
        ];
        const configs: PackConfig[] = [{}, { all: "advisory", "production-min-replicas": "disabled" }, { "pod-security-context": "disabled", "production-min-replicas": { minReplicas: 5 } }];
        let findings = 0;
        for (const resources of inputs) {
            for (const config of configs) {
                const expected = runPack(resources, config);
                assert.deepEqual(runPack(resources, config, compiled), expected);
                findings += expected.length;
            }
        }
        assert.ok(findings > 10, `the comparison saw findings (${findings})`);
    });
});
