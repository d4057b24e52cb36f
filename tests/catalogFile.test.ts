import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { readCatalogFile } from "../config/catalogFile";
import { evaluate, isConfigError } from "../tools/harness/evaluate";
import { readStackFiles } from "../tools/harness/stackFiles";
import { REPO, run } from "./support";

/**
 * A copy of this repository's project whose catalog lives in a file: Pulumi.yaml sets
 * `catalogFile` (unless `inline` keeps `catalog` too), and `catalog` holds the file's text.
 */
function projectWithCatalogFile(tmp: string, opts: { file?: unknown; text?: string; inline?: boolean } = {}): string {
    const dir = fs.mkdtempSync(path.join(tmp, "project-"));
    const project = YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as { config: Record<string, { value: unknown }> };
    const catalog = project.config.catalog.value;
    if (!opts.inline) delete project.config.catalog;
    project.config.catalogFile = { value: opts.file ?? "catalog.yaml" };
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify(project));
    fs.writeFileSync(path.join(dir, "catalog.yaml"), opts.text ?? YAML.stringify(catalog));
    for (const stack of ["staging", "production"]) fs.copyFileSync(path.join(REPO, `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
    return dir;
}

/** A "billion laughs" document: each level is a list of ten aliases of the level before. */
function aliasBomb(levels: number): string {
    const name = (i: number) => `l${i}`;
    const lines = [`${name(0)}: &${name(0)} [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]`];
    for (let i = 1; i < levels; i++) lines.push(`${name(i)}: &${name(i)} [${Array(10).fill(`*${name(i - 1)}`).join(", ")}]`);
    return lines.join("\n") + "\n";
}

/** The problems a project's staging stack is refused with; nothing may be declared. */
async function refusedWith(dir: string): Promise<readonly string[]> {
    const ev = await evaluate(readStackFiles(dir, "staging", { fillSecrets: true }), { ciEnv: {} });
    assert.ok(isConfigError(ev.error), `expected a ConfigError, got ${ev.error ? String(ev.error.stack) : "no error"}`);
    assert.deepEqual(ev.resources, []);
    return ev.error.problems;
}

describe("a catalog in a file (catalogFile), for catalogs too large for Pulumi config", function () {
    this.timeout(60000);
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-catalog-file-"))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    for (const stack of ["staging", "production"]) {
        it(`${stack}: declares exactly what the same catalog in Pulumi.yaml declares, with the same secret keys`, async () => {
            const dir = projectWithCatalogFile(tmp);
            const fromFile = readStackFiles(dir, stack, { fillSecrets: true });
            assert.equal(fromFile.config["hft-platform:catalog"], undefined, "the catalog is not in Pulumi config");
            const inline = readStackFiles(REPO, stack, { fillSecrets: true });
            assert.deepEqual(fromFile.placeholders, inline.placeholders);
            const a = await evaluate(fromFile, { ciEnv: {} });
            assert.equal(a.error, undefined, String(a.error?.message));
            const b = await run(stack);
            const view = (rs: typeof a.resources) => rs.map((r) => ({ type: r.type, name: r.name, inputs: r.inputs }));
            assert.ok(b.resources.length > 40);
            assert.deepEqual(view(a.resources), view(b.resources));
        });
    }

    it("names the file in the key path of a problem inside it", async () => {
        const catalog = (YAML.parse(fs.readFileSync(path.join(REPO, "Pulumi.yaml"), "utf8")) as { config: { catalog: { value: any } } }).config.catalog.value;
        catalog.services.execution.port = "http";
        const problems = await refusedWith(projectWithCatalogFile(tmp, { text: YAML.stringify(catalog) }));
        assert.deepEqual(problems, ['catalog.yaml.services.execution.port: expected an integer from 1 to 65535, got "http"']);
    });

    const refusals: { name: string; opts: Parameters<typeof projectWithCatalogFile>[1]; problem: string }[] = [
        { name: "both catalog and catalogFile", opts: { inline: true }, problem: "hft-platform:catalogFile: set either hft-platform:catalog or hft-platform:catalogFile, not both" },
        { name: "a file that does not exist", opts: { file: "services.yaml" }, problem: 'hft-platform:catalogFile: cannot read "services.yaml" in the project directory (no such file)' },
        {
            name: "a path outside the project",
            opts: { file: "../catalog.yaml" },
            problem: `hft-platform:catalogFile: expected a path relative to the project directory and inside it, such as 'catalog.yaml', got "../catalog.yaml"`,
        },
        {
            name: "an object instead of a path",
            opts: { file: { path: "catalog.yaml" } },
            problem: `hft-platform:catalogFile: expected the path of a YAML file inside the project directory, such as 'catalog.yaml', got {"path":"catalog.yaml"}`,
        },
        {
            name: "a file that is not YAML (a key twice)",
            opts: { text: "system: hft\nsystem: hft2\n" },
            problem: "catalog.yaml.system: given twice (line 2, column 1); a mapping holds each key once",
        },
        {
            name: "a file with a tag the core schema does not know",
            opts: { text: "system: !vault hft\n" },
            problem: "catalog.yaml: not valid YAML: Unresolved tag: !vault at line 1, column 9",
        },
        {
            name: "an alias bomb (aliases of aliases, ten to the twelfth values)",
            opts: { text: aliasBomb(12) },
            problem: "catalog.yaml.l6[1]: with the alias *l5 expanded, the document is larger than 16 MiB as JSON (the limit against alias bombs); docs/limits.md",
        },
        {
            name: "a file that is not a catalog",
            opts: { text: "- just\n- a list\n" },
            problem: "catalog.yaml: expected an object with keys system, tiers, commonEnv, defaults, services, got [\"just\",\"a list\"]",
        },
    ];
    for (const r of refusals) {
        it(`refuses ${r.name}, naming the key, the value and what is allowed`, async () => {
            const problems = await refusedWith(projectWithCatalogFile(tmp, r.opts));
            assert.equal(problems[0], r.problem);
        });
    }

    it("reads anchors and aliases, one shared block referenced by each of 300 services", () => {
        const dir = fs.mkdtempSync(path.join(tmp, "aliases-"));
        const services = Array.from({ length: 300 }, (_, i) => `  s${i}: { port: ${8000 + i}, probes: *probes }`);
        fs.writeFileSync(path.join(dir, "catalog.yaml"), ["probes: &probes { liveness: /healthz, readiness: /readyz }", "services:", ...services, ""].join("\n"));
        const { label, value } = readCatalogFile(dir, "hft-platform", "catalog.yaml", false) as { label: string; value: any };
        assert.equal(label, "catalog.yaml");
        assert.equal(Object.keys(value.services).length, 300);
        assert.deepEqual(value.services.s299, { port: 8299, probes: { liveness: "/healthz", readiness: "/readyz" } });
    });

});
