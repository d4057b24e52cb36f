import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import YAML from "yaml";
import { findOnPath } from "../../bench/which";
import { IDENTITY_SETTINGS } from "../../tools/import/report";
import { REPO, TS_NODE_ARGS, TS_NODE_ENV } from "../support";

/**
 * `npm run import` as a process on the shop fixture's overlays, then what it wrote checked the
 * way a user would: against the editors' JSON Schemas (schemas/, for this project's name) and
 * rendered with `npm run render -- <stack> --dir <out>`. The identity settings the import writes
 * (objectName, selector, sharedNamespace, adopt) are being added to the schema on main; until
 * they are, the schema and the render refuse exactly those, and a copy without them must pass.
 */
const SHOP = path.join(REPO, "tests", "fixtures", "kustomize", "shop");
const SECRET_VALUES = ["not-a-real-password", "not-a-real-token"].flatMap((v) => [v, Buffer.from(v).toString("base64")]);
const IDENTITY = new Set<string>(IDENTITY_SETTINGS);

const tool = (script: string, args: string[]) => spawnSync(process.execPath, [...TS_NODE_ARGS, path.join(REPO, "tools", script), ...args], { cwd: REPO, encoding: "utf8", env: { ...process.env, ...TS_NODE_ENV } });

/** The committed JSON Schema for a project of another name. */
function validator(file: string, project: string) {
    const text = fs.readFileSync(path.join(REPO, "schemas", file), "utf8").split("hft-platform").join(project);
    return new Ajv2020({ allErrors: true, strict: false }).compile(JSON.parse(text) as object);
}

function withoutIdentity(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(withoutIdentity);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).filter(([k]) => !IDENTITY.has(k)).map(([k, x]) => [k, withoutIdentity(x)]));
    return v;
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

    it("writes files the JSON Schemas accept, but for the identity settings not in the schema yet", () => {
        const project = validator("project.schema.json", "shop");
        const stack = validator("stack.schema.json", "shop");
        const catalog = validator("catalog.schema.json", "shop");
        const read = (file: string) => YAML.parse(fs.readFileSync(path.join(out, file), "utf8")) as { config: Record<string, { value?: unknown }> };
        const notIdentity = (v: typeof stack, doc: unknown) =>
            v(doc) ? [] : (v.errors ?? []).filter((e) => !(e.keyword === "additionalProperties" && IDENTITY.has(String((e.params as { additionalProperty?: string }).additionalProperty)))).map((e) => `${e.instancePath} ${e.message}`);
        // The catalog on its own (Pulumi.yaml's key also takes it without `value:`, whose errors would add noise).
        assert.deepEqual(notIdentity(catalog, read("Pulumi.yaml").config["shop:catalog"].value), []);
        for (const file of ["Pulumi.staging.yaml", "Pulumi.production.yaml"]) assert.deepEqual(notIdentity(stack, read(file)), [], file);
        for (const [file, v] of [["Pulumi.yaml", project], ["Pulumi.staging.yaml", stack], ["Pulumi.production.yaml", stack]] as const) {
            assert.ok(v(withoutIdentity(read(file))), `${file} without the identity settings: ${JSON.stringify(v.errors)}`);
        }
    });

    it("renders: refused only for the identity settings until the schema has them; without them, staging renders (exit 0 or 4)", () => {
        const rendered = tool("render.ts", ["staging", "--dir", out, "--out", path.join(work, "rendered")]);
        if (rendered.status === 1) {
            const problems = rendered.stderr.split("\n").filter((l) => l.startsWith("  - "));
            assert.ok(problems.length > 0, rendered.stderr);
            for (const p of problems) assert.match(p, new RegExp(`\\.(${[...IDENTITY].join("|")}): unknown key`), p);
        } else {
            assert.ok(rendered.status === 0 || rendered.status === 4, rendered.stderr);
        }
        const copy = path.join(work, "without-identity");
        fs.mkdirSync(copy);
        for (const f of fs.readdirSync(out).filter((x) => x.endsWith(".yaml"))) {
            fs.writeFileSync(path.join(copy, f), YAML.stringify(withoutIdentity(YAML.parse(fs.readFileSync(path.join(out, f), "utf8")))));
        }
        for (const s of ["staging", "production"]) {
            const r = tool("render.ts", [s, "--dir", copy, "--out", path.join(work, `rendered-${s}`)]);
            assert.ok(r.status === 0 || r.status === 4, `${s}: exit ${r.status}\n${r.stderr}`);
            assert.match(r.stdout, /api +Deployment/);
        }
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
