import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readCatalogFile } from "../config/catalogFile";
import { ConfigError } from "../config/errors";
import { readStackFiles, StackFileError } from "../tools/harness/stackFiles";
import { hostileProject, linkInstead, OUTSIDE_SECRET } from "./hostileProject";
import { refused } from "./refused";

/**
 * Issue 18, class 1: the files the program reads (a `catalogFile`, Pulumi.yaml, the stack files)
 * are regular files inside the project directory, of at most 2 MiB; nothing outside the project
 * is ever read, so no message can print it. Special files (a FIFO, /dev/zero) would hang a
 * reader: they are tested as processes, with a timeout, in tests/e2e/hostileFiles.test.ts.
 */
describe("the files a project names: regular files inside the project, of bounded size", function () {
    this.timeout(60_000);
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-project-files-"))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    const catalogProblem = (reason: string) => `hft-platform:catalogFile: cannot read "catalog.yaml" in the project directory (${reason})`;
    const OUTSIDE = "it leads outside the project directory through a symbolic link";

    /** The problems the staging stack of a project is refused with, through the program; none may show what `secret` is. */
    async function catalogRefusal(dir: string, secret?: string): Promise<readonly string[]> {
        const problems = await refused(readStackFiles(dir, "staging", { fillSecrets: true }));
        if (secret) assert.ok(!problems.some((p) => p.includes(secret)), `a problem shows the file's content: ${problems.join("\n")}`);
        return problems;
    }

    it("refuses a catalogFile that is a symbolic link to a valid catalog outside the project (the example)", async () => {
        const p = hostileProject(tmp);
        linkInstead(p.dir, "catalog.yaml", path.join(p.outside, "catalog.yaml"));
        assert.deepEqual(await catalogRefusal(p.dir), [catalogProblem(OUTSIDE)]);
    });

    it("refuses a symbolic link to /etc/passwd without printing any of it (the example)", async () => {
        const p = hostileProject(tmp);
        linkInstead(p.dir, "catalog.yaml", "/etc/passwd");
        const problems = await catalogRefusal(p.dir, "root:");
        assert.deepEqual(problems, [catalogProblem(OUTSIDE)]);
    });

    it("refuses a link to a credentials file outside, relative (../outside/credentials.json), never printing the token", async () => {
        const p = hostileProject(tmp);
        linkInstead(p.dir, "catalog.yaml", "../outside/credentials.json");
        assert.deepEqual(await catalogRefusal(p.dir, OUTSIDE_SECRET), [catalogProblem(OUTSIDE)]);
    });

    it("refuses a path through a linked folder that leads outside (shared/ -> ../outside)", () => {
        const p = hostileProject(tmp);
        fs.symlinkSync(p.outside, path.join(p.dir, "shared"));
        assert.throws(
            () => readCatalogFile(p.dir, "hft-platform", "shared/credentials.json", false),
            (e: unknown) => e instanceof ConfigError && e.problems.length === 1 && e.problems[0] === `hft-platform:catalogFile: cannot read "shared/credentials.json" in the project directory (${OUTSIDE})`,
        );
    });

    it("refuses a link to a link that leads outside, and a link that points at itself", async () => {
        const p = hostileProject(tmp);
        fs.symlinkSync(path.join(p.outside, "catalog.yaml"), path.join(p.dir, "hop.yaml"));
        linkInstead(p.dir, "catalog.yaml", "hop.yaml");
        assert.deepEqual(await catalogRefusal(p.dir), [catalogProblem(OUTSIDE)]);
        linkInstead(p.dir, "catalog.yaml", "catalog.yaml");
        assert.deepEqual(await catalogRefusal(p.dir), [catalogProblem("a loop of symbolic links")]);
    });

    it("follows a symbolic link that stays inside the project (catalog.yaml -> catalogs/current.yaml)", () => {
        const p = hostileProject(tmp);
        fs.mkdirSync(path.join(p.dir, "catalogs"));
        fs.renameSync(path.join(p.dir, "catalog.yaml"), path.join(p.dir, "catalogs", "current.yaml"));
        fs.symlinkSync(path.join("catalogs", "current.yaml"), path.join(p.dir, "catalog.yaml"));
        const { label, value } = readCatalogFile(p.dir, "hft-platform", "catalog.yaml", false);
        assert.equal(label, "catalog.yaml");
        assert.ok(Object.keys((value as { services: object }).services).length > 5);
    });

    it("refuses a catalogFile over 2 MiB before parsing it; takes one of exactly 2 MiB", async function () {
        this.timeout(120_000);
        const p = hostileProject(tmp);
        // A comment pads the file: a file exactly at the limit still parses (and is this catalog).
        const pad = (bytes: number) => p.catalog + "#" + "x".repeat(bytes - p.catalog.length - 2) + "\n";
        fs.writeFileSync(path.join(p.dir, "catalog.yaml"), pad(2 * 1024 * 1024 + 1));
        const start = Date.now();
        assert.deepEqual(await catalogRefusal(p.dir), [catalogProblem("larger than 2 MiB, the limit for a file the program reads; docs/limits.md")]);
        assert.ok(Date.now() - start < 5_000, `took ${Date.now() - start} ms: the file was parsed`);
        fs.writeFileSync(path.join(p.dir, "catalog.yaml"), pad(2 * 1024 * 1024));
        assert.equal(readCatalogFile(p.dir, "hft-platform", "catalog.yaml", false).label, "catalog.yaml");
    });

    it("a catalog inside the project that is not one shows at most a short excerpt of it", async () => {
        const p = hostileProject(tmp);
        fs.writeFileSync(path.join(p.dir, "catalog.yaml"), `${"a long line of text ".repeat(50)}${OUTSIDE_SECRET}\n`);
        const [problem] = await catalogRefusal(p.dir, OUTSIDE_SECRET);
        assert.ok(problem.length < 400, problem);
    });

    describe("Pulumi.yaml and the stack files, as the render and the tools read them", () => {
        const stackProblem = (e: unknown, message: string) => e instanceof StackFileError && e.message === message;

        it("refuses a stack file that is a symbolic link to a file outside the project, never printing it", () => {
            const p = hostileProject(tmp);
            linkInstead(p.dir, "Pulumi.staging.yaml", path.join(p.outside, "credentials.json"));
            assert.throws(() => readStackFiles(p.dir, "staging", { fillSecrets: true }), (e: unknown) =>
                stackProblem(e, `cannot read Pulumi.staging.yaml in the project directory (${OUTSIDE})`),
            );
        });

        it("refuses a Pulumi.yaml that is a symbolic link to /etc/passwd", () => {
            const p = hostileProject(tmp);
            linkInstead(p.dir, "Pulumi.yaml", "/etc/passwd");
            assert.throws(() => readStackFiles(p.dir, "staging", { fillSecrets: true }), (e: unknown) => stackProblem(e, `cannot read Pulumi.yaml in the project directory (${OUTSIDE})`));
        });

        it("refuses a stack file over 2 MiB", () => {
            const p = hostileProject(tmp);
            fs.appendFileSync(path.join(p.dir, "Pulumi.staging.yaml"), "\n#" + "x".repeat(2 * 1024 * 1024) + "\n");
            assert.throws(() => readStackFiles(p.dir, "staging", { fillSecrets: true }), (e: unknown) =>
                stackProblem(e, "cannot read Pulumi.staging.yaml in the project directory (larger than 2 MiB, the limit for a file the program reads; docs/limits.md)"),
            );
        });

        it("refuses a stack file that is a folder", () => {
            const p = hostileProject(tmp);
            fs.rmSync(path.join(p.dir, "Pulumi.staging.yaml"));
            fs.mkdirSync(path.join(p.dir, "Pulumi.staging.yaml"));
            assert.throws(() => readStackFiles(p.dir, "staging", { fillSecrets: true }), (e: unknown) => stackProblem(e, "cannot read Pulumi.staging.yaml in the project directory (a directory)"));
        });
    });
});
