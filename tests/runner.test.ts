import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { transform } from "sucrase";
import { projectRuntime, Runtime } from "../bench/runner";
import { previewThroughRunner, REPO, run, stackConfig } from "./support";

/** Runs a repository stack as `pulumi preview` would start it, with a mock engine. */
function preview(stack: string, runtime: Runtime, tmp: string) {
    return previewThroughRunner(stackConfig(stack), REPO, runtime, tmp);
}

describe("Pulumi's runner with Pulumi.yaml's runtime options (as `pulumi preview` starts the program)", function () {
    this.timeout(60000);
    let tmp: string;
    before(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-runner-"))));
    after(() => fs.rmSync(tmp, { recursive: true, force: true }));

    for (const stack of ["staging", "production"]) {
        it(`runs ${stack} through the loader Pulumi.yaml names, not ts-node, with every object declared and the promise traces skipped`, async () => {
            const { sample, report } = await preview(stack, projectRuntime(), tmp);
            assert.equal(sample.exitCode, 0, sample.stderr);
            const expected = (await run(stack)).resources.filter((r) => r.type.startsWith("kubernetes:")).length;
            assert.equal(report?.kubernetesObjects, expected);
            assert.equal(report?.tsNode, undefined, "ts-node was registered");
            assert.equal(report?.promiseTraceHook, true);
        });
    }

    it("cannot load the program without Pulumi.yaml's nodeargs (the loader named there is what runs it)", async () => {
        const runtime = projectRuntime();
        assert.ok(runtime.nodeargs.length > 0 && !runtime.typescript);
        const { sample } = await preview("staging", { ...runtime, nodeargs: [] }, tmp);
        assert.notEqual(sample.exitCode, 0);
    });

    it("names a loader that `npm ci --omit=dev` keeps: `pulumi up` needs it as much as the program", () => {
        const runtime = projectRuntime();
        const loader = runtime.nodeargs[runtime.nodeargs.indexOf("--require") + 1];
        const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { dependencies: Record<string, string> };
        assert.ok(loader in pkg.dependencies || loader.split("/")[0] in pkg.dependencies, `${loader} is not in dependencies`);
        assert.doesNotThrow(() => require.resolve(loader, { paths: [REPO] }));
    });

    it("keeps every line of every program file where it was, so errors and resource positions need no source map", () => {
        const files = ["index.ts", "program.ts", ...["config", "components", "runtime"].flatMap((d) => walk(path.join(REPO, d)))];
        assert.ok(files.length > 20);
        for (const file of files) {
            const source = fs.readFileSync(path.resolve(REPO, file), "utf8");
            // The options sucrase/register/ts uses.
            const out = transform(source, { transforms: ["imports", "typescript"], filePath: file }).code;
            assert.equal(out.split("\n").length, source.split("\n").length, file);
        }
    });
});

function walk(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}
