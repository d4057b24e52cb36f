import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readCatalogFile } from "../config/catalogFile";
import { ConfigError } from "../config/errors";
import { Refusal } from "../tools/cli";
import { manifestsOf } from "../tools/compare/kustomize";
import { readStackFiles, StackFileError } from "../tools/harness/stackFiles";
import { parseManifests } from "../tools/import/manifests";
import { promote } from "../tools/promote";
import { aliasBomb, hostileProject } from "./hostileProject";

/**
 * Issue 18, class 2: every YAML the program and its tools read from a user (a catalogFile,
 * Pulumi.yaml and the stack files, the manifests import and compare read) is parsed within
 * limits (docs/limits.md): at most 1000 aliases and 1000 anchors, at most 16 MiB as JSON with
 * every alias expanded, at most 100 levels deep, no alias inside the value it names. A problem
 * names the file and the key path, quickly; nothing is expanded to find it.
 */
describe("YAML within limits: aliases, cycles, size, depth, keys", function () {
    this.timeout(30_000);
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-yaml-limits-"))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const BOMB = "with the alias *level_05 expanded, the document is larger than 16 MiB as JSON (the limit against alias bombs); docs/limits.md";
    const cycle = (name: string) => `the alias *${name} is inside the value it names (&${name}), which would never end`;

    /** The problems a catalog file's text is refused with, within a second. */
    function catalogProblems(text: string): readonly string[] {
        const dir = fs.mkdtempSync(path.join(tmp, "catalog-"));
        fs.writeFileSync(path.join(dir, "catalog.yaml"), text);
        const start = Date.now();
        try {
            readCatalogFile(dir, "hft-platform", "catalog.yaml", false);
        } catch (e) {
            assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String((e as Error).stack)}`);
            assert.ok(Date.now() - start < 1_000, `took ${Date.now() - start} ms`);
            return e.problems;
        }
        assert.fail("the catalog file was read");
    }

    describe("in a catalogFile", () => {
        it("a 2.7 KB file of nested aliases (10^21 values): refused at the alias that crosses the limit (the example)", () => {
            const text = aliasBomb(21, 2);
            assert.ok(text.length < 2_800, String(text.length));
            assert.deepEqual(catalogProblems(text), [`catalog.yaml.level_06[0]: ${BOMB}`]);
        });

        it("an alias inside the value it names, in a mapping and in a list: a cycle at its key path (the example crashed)", () => {
            assert.deepEqual(catalogProblems("system: &a\n  x: *a\n"), [`catalog.yaml.system.x: ${cycle("a")}`]);
            assert.deepEqual(catalogProblems("services: &s [*s]\n"), [`catalog.yaml.services[0]: ${cycle("s")}`]);
            assert.deepEqual(catalogProblems("defaults: {env: {A: &deep {B: [1, {C: *deep}]}}}\n"), [`catalog.yaml.defaults.env.A.B[1].C: ${cycle("deep")}`]);
        });

        it("one 100 KB value aliased 200 times (20 MB as JSON, far under the old count of 1000)", () => {
            const text = `big: &big "${"x".repeat(100_000)}"\ncopies:\n${Array.from({ length: 200 }, () => "  - *big").join("\n")}\n`;
            assert.deepEqual(catalogProblems(text), [
                "catalog.yaml.copies[166]: with the alias *big expanded, the document is larger than 16 MiB as JSON (the limit against alias bombs); docs/limits.md",
            ]);
        });

        it("more than 1000 aliases, and more than 1000 anchors, at the first one over", () => {
            const aliases = `p: &p {liveness: /healthz}\nservices:\n${Array.from({ length: 1001 }, (_, i) => `  s${i}: {probes: *p}`).join("\n")}\n`;
            assert.deepEqual(catalogProblems(aliases), ["catalog.yaml.services.s1000.probes: more than 1000 aliases (*name) in one document; docs/limits.md"]);
            const anchors = `services:\n${Array.from({ length: 1001 }, (_, i) => `  s${i}: &a${i} {port: 80}`).join("\n")}\n`;
            assert.deepEqual(catalogProblems(anchors), ["catalog.yaml.services.s1000: more than 1000 anchors (&name) in one document; docs/limits.md"]);
        });

        it("an alias with no anchor before it", () => {
            assert.deepEqual(catalogProblems("system: hft\ndefaults: *later\nlater: &later {}\n"), ["catalog.yaml.defaults: the alias *later names no anchor (&later) before it"]);
        });

        it("nested deeper than 100 levels: at the key path, or for the whole file when the parser itself gives up", () => {
            const nested = (n: number) => `defaults: ${"{a: ".repeat(n)}1${"}".repeat(n)}\n`;
            assert.deepEqual(catalogProblems(nested(150)), ["catalog.yaml.defaults.a.a.a.a.a.a.a.a.a...: nested more than 100 levels deep; docs/limits.md"]);
            assert.deepEqual(catalogProblems(`defaults: ${"[".repeat(5000)}${"]".repeat(5000)}\n`), ["catalog.yaml: nested more than 100 levels deep; docs/limits.md"]);
            // Through aliases: each level ten lists around the level before; the eleventh would be 109 deep.
            const chain = ["l0: &l0 " + "[".repeat(10) + "]".repeat(10), ...Array.from({ length: 10 }, (_, i) => `l${i + 1}: &l${i + 1} ${"[".repeat(10)}*l${i}${"]".repeat(10)}`)];
            assert.deepEqual(catalogProblems(chain.join("\n") + "\n"), [`catalog.yaml.l10${"[0]".repeat(10)}: nested more than 100 levels deep with the alias *l9 expanded; docs/limits.md`]);
        });

        it("a key given twice, also as 1 and '1' (one JavaScript key), at its key path and line", () => {
            assert.deepEqual(catalogProblems("system: hft\nsystem: hft2\n"), ["catalog.yaml.system: given twice (line 2, column 1); a mapping holds each key once"]);
            assert.deepEqual(catalogProblems("services:\n  web:\n    env:\n      1: a\n      '1': b\n"), ["catalog.yaml.services.web.env.1: given twice (line 5, column 7); a mapping holds each key once"]);
        });

        it("a mapping used as a key, and a second document", () => {
            assert.deepEqual(catalogProblems("services:\n  ? {name: web}\n  : {port: 80}\n"), ["catalog.yaml.services: a mapping or list used as a key (line 2, column 5); a key must be text or a number"]);
            assert.deepEqual(catalogProblems("system: hft\n---\nsystem: other\n"), ["catalog.yaml: not valid YAML: more than one document (the second starts at line 2); one is expected"]);
        });

        it("quotes at most 64 characters of a word of the file (a tag, an anchor's name), however long", () => {
            const long = (c: string) => c.repeat(5000);
            const cut = (c: string) => `${c.repeat(61)}...`;
            assert.deepEqual(catalogProblems(`system: !${long("t")} hft\n`), [`catalog.yaml: not valid YAML: Unresolved tag: !${"t".repeat(60)}... at line 1, column 9`]);
            assert.deepEqual(catalogProblems(`system: &${long("n")} [*${long("n")}]\n`), [`catalog.yaml.system[0]: the alias *${cut("n")} is inside the value it names (&${cut("n")}), which would never end`]);
            assert.deepEqual(catalogProblems(`system: *${long("q")}\n`), [`catalog.yaml.system: the alias *${cut("q")} names no anchor (&${cut("q")}) before it`]);
        });

        it("reads a shared block that itself holds an alias, referenced by 400 services (the old count refused it)", () => {
            const dir = fs.mkdtempSync(path.join(tmp, "shared-"));
            const services = Array.from({ length: 400 }, (_, i) => `  s${i}: {port: ${8000 + i}, probes: *probes}`);
            fs.writeFileSync(path.join(dir, "catalog.yaml"), ["health: &health /healthz", "probes: &probes {liveness: *health, readiness: *health}", "services:", ...services, ""].join("\n"));
            const value = readCatalogFile(dir, "hft-platform", "catalog.yaml", false).value as { services: Record<string, unknown> };
            assert.deepEqual(value.services.s399, { port: 8399, probes: { liveness: "/healthz", readiness: "/healthz" } });
        });
    });

    describe("in Pulumi.yaml and the stack files", () => {
        const stackProblem = (dir: string) => {
            try {
                readStackFiles(dir, "staging", { fillSecrets: true });
            } catch (e) {
                assert.ok(e instanceof StackFileError, `expected a StackFileError, got ${String((e as Error).stack)}`);
                return e.message;
            }
            assert.fail("the stack files were read");
        };
        const asConfig = (yaml: string) =>
            yaml
                .trimEnd()
                .split("\n")
                .map((l) => `  hft-platform:${l}`)
                .join("\n") + "\n";

        it("an alias bomb in a stack file (it crashed with 'Excessive alias count', naming nothing)", () => {
            const p = hostileProject(tmp);
            fs.appendFileSync(path.join(p.dir, "Pulumi.staging.yaml"), asConfig(aliasBomb(21, 2)));
            assert.equal(stackProblem(p.dir), `Pulumi.staging.yaml: config.hft-platform:level_06[0]: ${BOMB}`);
        });

        it("a cycle in Pulumi.yaml (it crashed with 'Converting circular structure to JSON')", () => {
            const p = hostileProject(tmp);
            fs.appendFileSync(path.join(p.dir, "Pulumi.yaml"), "  loop: {value: &loop [*loop]}\n");
            assert.equal(stackProblem(p.dir), `Pulumi.yaml: config.loop.value[0]: ${cycle("loop")}`);
        });

        it("an alias with no anchor in a stack file (it crashed with 'Unresolved alias')", () => {
            const p = hostileProject(tmp);
            fs.appendFileSync(path.join(p.dir, "Pulumi.staging.yaml"), "  hft-platform:extra: *nowhere\n");
            assert.equal(stackProblem(p.dir), "Pulumi.staging.yaml: config.hft-platform:extra: the alias *nowhere names no anchor (&nowhere) before it");
        });
    });

    describe("in the manifests import and compare read, and the Pulumi.yaml promote reads", () => {
        const pod = "kind: Deployment\nmetadata: {name: web}\nspec:\n  template: &pod\n    spec: {containers: [{name: web, image: nginx}], again: *pod}\n";
        const refusal = (f: () => unknown): string => {
            try {
                f();
            } catch (e) {
                assert.ok(e instanceof Refusal, `expected a Refusal, got ${String((e as Error).stack)}`);
                return e.message;
            }
            assert.fail("accepted");
        };

        it("import: a cycle (it was imported) and a bomb (it crashed), naming the document when there are several", () => {
            assert.equal(refusal(() => parseManifests(pod, "overlays/prod")), `overlays/prod: spec.template.spec.again: ${cycle("pod")}`);
            assert.equal(refusal(() => parseManifests(`kind: Service\nmetadata: {name: a}\n---\n${aliasBomb(21, 2)}`, "overlays/prod")), `overlays/prod: level_06[0]: ${BOMB} (document 2)`);
        });

        it("compare: a cycle and a bomb (both crashed)", () => {
            assert.equal(refusal(() => manifestsOf(pod, "prod/deployment.yaml")), `prod/deployment.yaml: spec.template.spec.again: ${cycle("pod")}`);
            assert.equal(refusal(() => manifestsOf(aliasBomb(21, 2), "prod/bomb.yaml")), `prod/bomb.yaml: level_06[0]: ${BOMB}`);
        });

        it("promote: an alias bomb in Pulumi.yaml is refused before anything runs (it crashed)", async () => {
            const p = hostileProject(tmp);
            fs.writeFileSync(path.join(p.dir, "Pulumi.yaml"), `name: hft-platform\n${aliasBomb(21, 2)}`);
            const io = { cwd: p.dir, env: {}, out: () => undefined, err: () => undefined };
            await assert.rejects(promote({ from: "staging", to: "production", dryRun: true, allowMissing: false }, io), (e: unknown) => {
                assert.ok(e instanceof Refusal, String((e as Error).stack));
                assert.equal(e.message, `Pulumi.yaml in ${p.dir}: level_06[0]: ${BOMB}`);
                return true;
            });
        });
    });
});
