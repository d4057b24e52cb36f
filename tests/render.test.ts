import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import YAML from "yaml";
import { RULES } from "../policy/rules";
import { underMocks } from "../tools/harness/evaluate";
import { toManifests } from "../tools/harness/manifests";
import { checkRules, Finding, redactFindings } from "../tools/harness/policy";
import { REDACTED } from "../tools/harness/stackFiles";
import { checkDistinct, githubFileName, manifestFileName } from "../tools/render/fileNames";
import { blocks, formatFindings } from "../tools/render/findings";
import { renderedFiles } from "../tools/render/folder";
import { problemsWithFiles } from "../tools/render/problems";
import { ConfigError } from "../config/errors";
import { toGithubDocuments } from "../tools/render/github";
import { policyResources, runPack } from "./policyRunner";
import { servicesOf, stackFacts } from "./facts-resources";
import { PROJECT, run, stackConfig } from "./support";

const object = (apiVersion: string, kind: string, name: string, namespace?: string) => ({ apiVersion, kind, metadata: { name, ...(namespace !== undefined ? { namespace } : {}) } });

describe("render: file names", () => {
    it("names an object by kind and name when its group and namespace are the usual ones", () => {
        assert.equal(manifestFileName(object("v1", "Namespace", "hft-staging"), "hft-staging"), "namespace-hft-staging.yaml");
        assert.equal(manifestFileName(object("apps/v1", "Deployment", "execution", "hft-staging"), "hft-staging"), "deployment-execution.yaml");
        assert.equal(manifestFileName(object("v1", "ConfigMap", "execution-config-2f54d471", "hft-staging"), "hft-staging"), "configmap-execution-config-2f54d471.yaml");
        assert.equal(manifestFileName(object("autoscaling/v2", "HorizontalPodAutoscaler", "execution", "hft-staging"), "hft-staging"), "horizontalpodautoscaler-execution.yaml");
    });

    it("adds the group and namespace when they are not implied, and encodes what a DNS name cannot hold", () => {
        assert.equal(manifestFileName(object("extensions/v1beta1", "Ingress", "web", "hft-staging"), "hft-staging"), "ingress_extensions_hft-staging_web.yaml");
        assert.equal(manifestFileName(object("v1", "ConfigMap", "web", "monitoring"), "hft-staging"), "configmap__monitoring_web.yaml");
        assert.equal(manifestFileName(object("v1", "ConfigMap", "web"), "hft-staging"), "configmap__web.yaml");
        assert.equal(manifestFileName(object("cert-manager.io/v1", "Certificate", "web", "hft-staging"), "hft-staging"), "certificate_cert-manager.io_hft-staging_web.yaml");
        assert.equal(manifestFileName(object("rbac.authorization.k8s.io/v1", "Role", "Read_All%", "hft-staging"), "hft-staging"), "role-%0052ead%005f%0041ll%0025.yaml");
    });

    it("never gives two different objects the same file, even ignoring case", () => {
        const kinds = ["Namespace", "ConfigMap", "Secret", "Deployment", "Ingress", "Role", "Certificate"];
        const groups = ["", "apps", "core", "extensions", "networking.k8s.io", "cert-manager.io", "a-b.c"];
        const namespaces = [undefined, "home", "other", "core", "a-b"];
        const text = fc.string({ unit: fc.constantFrom("a", "b", "-", ".", "_", "%", "A", "0", ":", "é"), minLength: 1, maxLength: 6 });
        const identity = fc.record({ kind: fc.constantFrom(...kinds), group: fc.constantFrom(...groups), namespace: fc.constantFrom(...namespaces), name: text });
        fc.assert(
            fc.property(fc.uniqueArray(identity, { selector: (i) => JSON.stringify(i), maxLength: 40 }), (ids) => {
                const files = ids.map((i) => ({ path: manifestFileName(object(i.group ? `${i.group}/v1` : "v1", i.kind, i.name, i.namespace), "home"), what: JSON.stringify(i) }));
                checkDistinct(files);
            }),
            { numRuns: 300 },
        );
    });

    it("names a GitHub resource by its type and Pulumi name, one-to-one", () => {
        assert.equal(githubFileName("github:index/repositoryEnvironment:RepositoryEnvironment", "production-environment"), "repositoryenvironment-production-environment.yaml");
        assert.equal(githubFileName("github:index/actionsSecret:ActionsSecret", "prod/Token_x"), "actionssecret-prod%002f%0054oken_x.yaml");
        assert.notEqual(githubFileName("github:index/team:Team", "A"), githubFileName("github:index/team:Team", "a"));
    });

    it("refuses to write two objects to one file, naming both", () => {
        assert.throws(() => checkDistinct([{ path: "a.yaml", what: "one" }, { path: "A.yaml", what: "two" }]), { message: "two objects would be written to A.yaml: one and two" });
    });
});

describe("render: what the folder holds", () => {
    const SENTINEL = "ghp-SENTINEL-Zq7vX2-token";

    it("writes outputs.yaml and one github/ file per GitHub resource, with no secret value in any file", async () => {
        const base = stackConfig("production");
        const key = `${PROJECT}:githubToken`;
        const stack = { ...base, config: { ...base.config, [key]: SENTINEL }, placeholders: base.placeholders.filter((k) => k !== "githubToken") };
        const ev = await run(stack);
        const files = renderedFiles({ manifests: toManifests(ev.resources), github: toGithubDocuments(ev.resources), outputs: ev.outputs, namespace: "hft-production" });
        assert.equal(files.filter((f) => f.path.startsWith("github/")).length, 5);
        assert.deepEqual(YAML.parse(files.find((f) => f.path === "outputs.yaml")!.text), JSON.parse(JSON.stringify(ev.outputs)));
        // The GitHub provider's token is a secret input of every GitHub resource's provider, never written.
        assert.deepEqual(files.filter((f) => f.text.includes(SENTINEL)).map((f) => f.path), []);
        assert.deepEqual(files.filter((f) => /^\d/.test(f.path)).map((f) => f.path), []);
    });

    it("redacts a stack output held as a secret", async () => {
        const ev = await underMocks(stackConfig("staging"), false, () => ({ namespace: "ns", token: pulumi.secret(SENTINEL), plain: pulumi.output("shown") }));
        const files = renderedFiles({ manifests: [], github: [], outputs: ev.outputs, namespace: "ns" });
        assert.deepEqual(YAML.parse(files[0].text), { namespace: "ns", plain: "shown", token: REDACTED });
    });
});

describe("render: the policy pack", () => {
    for (const stack of ["staging", "production"]) {
        it(`finds in ${stack} what the pack's CrossGuard policies find`, async () => {
            const resources = policyResources(await run(stack), stack);
            const key = (f: Finding) => `${f.policy} ${f.level} ${f.urn} ${f.message}`;
            assert.deepEqual(checkRules(resources).map(key).sort(), runPack(resources).map(key).sort());
            // Every service runs by digest (tags are looked up in the registry), so neither stack has a finding.
            const ev = await run(stack);
            const images = ev.resources.flatMap((r) => JSON.stringify(r.inputs).match(/"image":"[^"]+"/g) ?? []);
            assert.equal(images.length >= servicesOf(stackFacts(stack)).length, true);
            assert.deepEqual(images.filter((i) => !/@sha256:[0-9a-f]{64}"$/.test(i)), []);
            assert.deepEqual(checkRules(resources).map(key), []);
        });
    }

    it("prints mandatory findings first; only they block", () => {
        const advisory: Finding = { policy: "p-advice", level: "advisory", message: "consider it", urn: "u1" };
        const mandatory: Finding = { policy: "p-must", level: "mandatory", message: "fix it", urn: "u2" };
        assert.equal(formatFindings([], RULES.length), "policy: no findings (13 rules)\n");
        assert.equal(formatFindings([advisory, mandatory], RULES.length), "policy: 2 findings (1 mandatory, 1 advisory):\n  mandatory p-must: fix it\n  advisory p-advice: consider it\n");
        assert.equal(blocks([advisory]), false);
        assert.equal(blocks([advisory, mandatory]), true);
    });

    it("prints no secret value a rule's message might repeat", async () => {
        const ev = await run("staging");
        const password = (ev.resources.find((r) => r.type === "random:index/randomPassword:RandomPassword")!.state as { result: string }).result;
        const secretState = ev.resources.find((r) => r.name === "orchestrator-secrets")!;
        assert.ok(JSON.stringify(secretState.inputs).includes(password));
        const [finding] = redactFindings([{ policy: "p", level: "mandatory", message: `value '${password}' here`, urn: "u" }], ev);
        assert.equal(finding.message, `value '${REDACTED}' here`);
    });
});

describe("render: configuration problems name the file that set the key", () => {
    const stack = { project: "hft-platform", stack: "staging", files: { "hft-platform:catalog": "Pulumi.yaml", "hft-platform:environment": "Pulumi.staging.yaml" } };
    it("prefixes each problem with its file, the stack file for a secret key no file sets, and leaves other sources alone", () => {
        const error = new ConfigError([
            'hft-platform:catalog.services.execution.port: expected an integer from 1 to 65535, got "8003" (remove the quotes: YAML reads a quoted number as text)',
            "hft-platform:environment.services.orchestrator.replcias: unknown key (did you mean 'replicas'?)",
            "hft-platform:brokerApiKey: required secret is not set",
            "catalog.yaml.services.x.port: expected an integer",
            "PLATFORM_PINNED_IMAGES.gateway: unknown service",
        ]);
        assert.equal(
            problemsWithFiles(error, stack),
            "Invalid configuration (5 problems):\n" +
                '  - Pulumi.yaml: hft-platform:catalog.services.execution.port: expected an integer from 1 to 65535, got "8003" (remove the quotes: YAML reads a quoted number as text)\n' +
                "  - Pulumi.staging.yaml: hft-platform:environment.services.orchestrator.replcias: unknown key (did you mean 'replicas'?)\n" +
                "  - Pulumi.staging.yaml: hft-platform:brokerApiKey: required secret is not set\n" +
                "  - catalog.yaml.services.x.port: expected an integer\n" +
                "  - PLATFORM_PINNED_IMAGES.gateway: unknown service",
        );
    });

    it("knows which file set each key, as the engine merges them (the stack file wins)", () => {
        const files = stackConfig("staging").files!;
        assert.equal(files["hft-platform:catalog"], "Pulumi.yaml");
        assert.equal(files["hft-platform:environment"], "Pulumi.staging.yaml");
    });
});
