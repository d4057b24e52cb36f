import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { findOnPath } from "../../bench/which";
import { REPO, TS_NODE_ARGS, TS_NODE_ENV } from "../support";

/**
 * `npm run compare` as a process, on the small Kustomize overlays of
 * tests/fixtures/kustomize/compare/ (a base, a staging overlay with a configMapGenerator,
 * namePrefix, images: and a patch, and three overlays on top of it) against the project folder
 * beside them (its own project name, `shop`).
 */
const FIXTURE = path.join(REPO, "tests", "fixtures", "kustomize", "compare");
const PROJECT = path.join(FIXTURE, "project");
const overlay = (name: string) => path.join(FIXTURE, "overlays", name);

function compare(...args: string[]) {
    const r = spawnSync(process.execPath, [...TS_NODE_ARGS, path.join(REPO, "tools/compare.ts"), ...args], {
        cwd: REPO,
        encoding: "utf8",
        env: { ...process.env, ...TS_NODE_ENV },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("npm run compare (processes)", function () {
    this.timeout(60000);
    before(function () {
        if (findOnPath("kubectl") === undefined) this.skip();
    });

    it("an overlay that renders what the stack does, apart from defaults and hardening, exits 0", () => {
        const r = compare(overlay("staging"), "--stack", "staging", "--dir", PROJECT);
        assert.equal(r.code, 0, r.out + r.err);
        assert.match(r.out, /^= equal +Deployment shop-staging\/shop-api$/m);
        assert.match(r.out, /^= equal +Service shop-staging\/shop-api$/m);
        // The ConfigMap the pods read is compared as their environment; the overlay's is a leftover.
        assert.match(r.out, /^ {2}the overlay's: ConfigMap shop-api-config-[2456789bcdfghkmt]{10}$/m);
        assert.match(r.out, /^ {2}the stack's: +ConfigMap shop-api-config-[0-9a-f]{8}, ConfigMap staging-common-[0-9a-f]{8}$/m);
        assert.match(r.out, /^hardening the platform adds \(expected; docs\/compare\.md lists it\):$/m);
        assert.match(r.out, /^ {4}\+ spec\.template\.spec\.containers\[name=shop-api\]\.securityContext \(5 fields\): container securityContext: restricted/m);
        assert.match(r.out, /^ {2}\+ NetworkPolicy shop-staging\/default-deny-ingress: /m);
        assert.doesNotMatch(r.out, /^[~+-] /m, "no real difference");
        assert.match(r.out, /^summary: 2 equal, 0 changed, 4 only in the stack \(4 expected hardening\), 0 only in the overlay, 1 leftover: equal, apart from defaults and the documented hardening$/m);
    });

    it("a changed resource limit and environment value exit 4, each named by its path", () => {
        const r = compare(overlay("changed"), "-s", "staging", "--dir", PROJECT);
        assert.equal(r.code, 4, r.out + r.err);
        assert.match(
            r.out,
            /^~ changed +Deployment shop-staging\/shop-api\n {4}~ spec\.template\.spec\.containers\[name=shop-api\]\.env\[name=LOG_FORMAT\]\.value: "text" -> "json"\n {4}~ spec\.template\.spec\.containers\[name=shop-api\]\.resources\.limits\.cpu: "1" -> "500m"\n/m,
        );
        assert.match(r.out, /^summary: 1 equal, 1 changed, .*: they differ; review the differences above$/m);
    });

    it("a selector the stack does not have is named as immutable", () => {
        const r = compare(overlay("selector"), "--stack", "staging", "--dir", PROJECT);
        assert.equal(r.code, 4, r.out + r.err);
        assert.match(r.out, /^~ changed +Deployment shop-staging\/shop-api\n {4}! IMMUTABLE spec\.selector \(spec\.selector\.matchLabels\.team\): an update in place would fail; Pulumi would replace the Deployment/m);
        assert.match(r.out, /^ {4}- spec\.template\.metadata\.labels\.team: "payments" \(only in the overlay\)$/m);
    });

    it("an overlay-only generated ConfigMap is a leftover, printed with its delete command", () => {
        const r = compare(overlay("leftover"), "--stack", "staging", "--dir", PROJECT);
        assert.equal(r.code, 0, r.out + r.err);
        assert.match(r.out, /^- only in the overlay ConfigMap shop-staging\/feature-flags-\w{10} \(generated: a leftover, below\)$/m);
        assert.match(r.out, /^leftovers to delete after the switch .*:\n(?: {2}.*\n)* {2}kubectl -n shop-staging delete configmap feature-flags-[2456789bcdfghkmt]{10} +# no counterpart in the stack$/m);
    });

    it("a plain folder of the overlay's manifests compares as the overlay does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compare-plain-"));
        try {
            fs.writeFileSync(path.join(dir, "all.yaml"), execFileSync(findOnPath("kubectl")!, ["kustomize", overlay("staging")], { encoding: "utf8" }));
            const r = compare(dir, "--stack", "staging", "--dir", PROJECT);
            assert.equal(r.code, 0, r.out + r.err);
            assert.match(r.out, /\(a plain folder of manifests, 1 file\)/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses (1) a missing overlay folder, a kustomize error and an unknown stack, naming the path", () => {
        const missing = compare(path.join(FIXTURE, "no-such-overlay"), "--stack", "staging", "--dir", PROJECT);
        assert.deepEqual([missing.code, missing.out, missing.err], [1, "", `compare: no such overlay folder: ${path.join(FIXTURE, "no-such-overlay")}\n`]);

        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compare-broken-"));
        try {
            fs.writeFileSync(path.join(dir, "kustomization.yaml"), "resources: [missing.yaml]\n");
            const broken = compare(dir, "--stack", "staging", "--dir", PROJECT);
            assert.equal(broken.code, 1, broken.err);
            assert.match(broken.err, new RegExp(`^compare: kubectl kustomize ${dir} failed: .*missing\\.yaml`));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }

        const unknown = compare(overlay("staging"), "--stack", "qa", "--dir", PROJECT);
        assert.equal(unknown.code, 1);
        assert.match(unknown.err, new RegExp(`^compare: project ${PROJECT}: no stack file Pulumi\\.qa\\.yaml; stacks here: staging$`, "m"));
    });

    it("a usage error exits 2", () => {
        const r = compare(overlay("staging"));
        assert.deepEqual([r.code, r.err], [2, "compare: --stack is required\nusage: npm run compare -- <overlay folder> --stack <stack> [--dir <project folder>]\n(--help lists every option)\n"]);
    });
});
