import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { schemaValidator } from "../schemaValidator";
import { findOnPath } from "../../bench/which";
import { REPO, TS_NODE_ARGS, TS_NODE_ENV } from "../support";

/**
 * `npm run import` as a process on the shop fixture's overlays, then what it wrote checked the
 * way a user would: against the editors' JSON Schemas (schemas/, for this project's name) and
 * rendered with `npm run render -- <stack> --dir <out>`, unmodified: the identity settings it
 * writes (objectName, selector, sharedNamespace, adopt) are in the schema.
 */
const SHOP = path.join(REPO, "tests", "fixtures", "kustomize", "shop");
const SECRET_VALUES = ["not-a-real-password", "not-a-real-token"].flatMap((v) => [v, Buffer.from(v).toString("base64")]);

const tool = (script: string, args: string[]) => spawnSync(process.execPath, [...TS_NODE_ARGS, path.join(REPO, "tools", script), ...args], { cwd: REPO, encoding: "utf8", env: { ...process.env, ...TS_NODE_ENV } });

/** The committed JSON Schema for a project of another name. */
function validator(file: string, project: string) {
    const text = fs.readFileSync(path.join(REPO, "schemas", file), "utf8").split("hft-platform").join(project);
    return schemaValidator().compile(JSON.parse(text) as object);
}

describe("npm run import on Kustomize overlays, as a process", function () {
    this.timeout(180000);
    let work: string;
    let out: string;
    let run: ReturnType<typeof tool>;

    before(function () {
        if (findOnPath("kubectl") === undefined) this.skip();
        work = fs.mkdtempSync(path.join(os.tmpdir(), "platform-import-e2e-"));
        out = path.join(work, "shop");
        run = tool("import.ts", [path.join(SHOP, "overlays", "staging"), path.join(SHOP, "overlays", "production"), "--out", out]);
    });
    after(function () {
        if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    it("exits 0, prints the report and the timings, and never a secret value", () => {
        assert.equal(run.status, 0, run.stderr);
        assert.equal(run.stderr, "");
        assert.match(run.stdout, /^# Import report$/m);
        assert.match(run.stdout, /^timings: kubectl kustomize \d+ ms, mapping \d+ ms, writing \d+ ms$/m);
        assert.equal(fs.readFileSync(path.join(out, "IMPORT-REPORT.md"), "utf8") + "\n", run.stdout.split(/^wrote /m)[0]);
        for (const v of SECRET_VALUES) {
            assert.ok(!run.stdout.includes(v) && !run.stderr.includes(v), `output holds ${v}`);
            for (const f of fs.readdirSync(out)) assert.ok(!fs.readFileSync(path.join(out, f), "utf8").includes(v), `${f} holds ${v}`);
        }
    });

    it("writes files the JSON Schemas accept, identity settings included", () => {
        const read = (file: string) => YAML.parse(fs.readFileSync(path.join(out, file), "utf8")) as { config: Record<string, { value?: unknown }> };
        const errors = (v: ReturnType<typeof validator>, doc: unknown) => (v(doc) ? [] : (v.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
        // The catalog on its own (Pulumi.yaml's key also takes it without `value:`, whose errors would add noise).
        assert.deepEqual(errors(validator("catalog.schema.json", "shop"), read("Pulumi.yaml").config["shop:catalog"].value), []);
        assert.deepEqual(errors(validator("project.schema.json", "shop"), read("Pulumi.yaml")), []);
        for (const file of ["Pulumi.staging.yaml", "Pulumi.production.yaml"]) assert.deepEqual(errors(validator("stack.schema.json", "shop"), read(file)), [], file);
    });

    it("renders as written: staging exits 0; production 4, for its policy findings only (mutable tags, one replica)", () => {
        const staging = tool("render.ts", ["staging", "--dir", out, "--out", path.join(work, "rendered-staging")]);
        assert.equal(staging.status, 0, staging.stderr);
        assert.match(staging.stdout, /api +Deployment/);
        const production = tool("render.ts", ["production", "--dir", out, "--out", path.join(work, "rendered-production")]);
        assert.equal(production.status, 4, production.stderr);
        const findings = production.stdout.split("\n").filter((l) => /^ {2}mandatory /.test(l));
        assert.ok(findings.length > 0, production.stdout);
        for (const f of findings) assert.match(f, /^ {2}mandatory (no-mutable-image-tags|production-min-replicas): /, f);
    });

    it("refuses an --out folder it did not write, and an overlay that does not build", () => {
        const other = path.join(work, "other");
        fs.mkdirSync(other);
        fs.writeFileSync(path.join(other, "notes.txt"), "mine\n");
        const refused = tool("import.ts", [path.join(SHOP, "overlays", "staging"), "--out", other]);
        assert.equal(refused.status, 1);
        assert.match(refused.stderr, /^import: .*other is not empty and holds no IMPORT-REPORT\.md/);
        const broken = path.join(work, "broken");
        fs.mkdirSync(broken);
        fs.writeFileSync(path.join(broken, "kustomization.yaml"), "resources: [missing.yaml]\n");
        const failed = tool("import.ts", [broken, "--out", path.join(work, "x")]);
        assert.equal(failed.status, 1);
        assert.match(failed.stderr, /^import: kubectl kustomize .*broken failed: /);
    });
});
