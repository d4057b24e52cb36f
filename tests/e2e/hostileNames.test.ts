import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { REPO, TS_NODE_ARGS, TS_NODE_ENV } from "../support";

/**
 * Issue 18, class 4, as a user meets it: `npm run render` on a copy of the project whose catalog
 * gives one name twice (the three examples) exits 1 with every collision at its key path,
 * without a stack trace, and writes nothing.
 */
describe("names that collide, through npm run render", function () {
    this.timeout(60_000);
    let tmp: string;
    beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-names-"))));
    afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

    it("a generated secret, two platform names and a claimed host: exit 1, each named, nothing written", () => {
        const project = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8"));
        const image = { repository: "ghcr.io/acme-trading/hft-extra" };
        const generated = { generate: { length: 16 } };
        Object.assign(project.config.catalog.value.services, {
            a: { port: 8080, image, secrets: { B_C: generated } },
            "a-b": { port: 8080, image, secrets: { C: generated } },
            "default-deny-ingress": { port: 8080, image, allowFrom: ["orchestrator"] },
            default: { port: 8080, image },
            other: { port: 8080, image, ingress: { hostPrefix: "trading" } },
        });
        fs.writeFileSync(path.join(tmp, "Pulumi.yaml"), YAML.stringify(project));
        fs.copyFileSync(path.join(REPO, "Pulumi.staging.yaml"), path.join(tmp, "Pulumi.staging.yaml"));
        const out = path.join(tmp, "out");

        const r = spawnSync(process.execPath, [...TS_NODE_ARGS, path.join(REPO, "tools/render.ts"), "staging", "--dir", tmp, "--out", out], {
            cwd: REPO,
            env: { ...process.env, ...TS_NODE_ENV },
            encoding: "utf8",
        });

        const services = "Pulumi.yaml: hft-platform:catalog.services";
        const object = "two objects of one kind cannot share a name in a namespace: 'pulumi up' fails on the second, or one replaces the other";
        assert.equal(
            r.stderr,
            "render: stack 'staging': Invalid configuration (4 problems):\n" +
                `  - ${services}.a-b.secrets.C: the password generated for service a-b's secret C and the password generated for service a's secret B_C (hft-platform:catalog.services.a.secrets.B_C) would both be the Pulumi resource 'a-b-c' (random:index/randomPassword:RandomPassword); Pulumi refuses a second resource of one type and name (a duplicate URN); rename the secret C or the service a-b, or rename the secret B_C or the service a\n` +
                `  - ${services}.default: the ServiceAccount of service default and the ServiceAccount Kubernetes makes in every namespace would both be the ServiceAccount 'default' in the namespace hft-staging; ${object}; rename the service default (or give it an objectName)\n` +
                `  - ${services}.default-deny-ingress: the NetworkPolicy of service default-deny-ingress and the platform's default-deny NetworkPolicy would both be the NetworkPolicy 'default-deny-ingress' in the namespace hft-staging; ${object}; rename the service default-deny-ingress (or give it an objectName)\n` +
                `  - ${services}.other.ingress.hostPrefix: service other and service orchestrator (hft-platform:catalog.services.orchestrator.ingress.path) would both route https://trading.staging.acme-trading.example/ (Prefix); the Gateway or the ingress controller sends those requests to one of them only; give service other another hostPrefix or path, or give service orchestrator another hostPrefix or path\n`,
        );
        assert.equal(r.status, 1);
        assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
        assert.equal(fs.existsSync(out), false, "nothing written");
    });
});
