/**
 * Regenerates every derived file: from the configuration schema, the JSON Schema files editors
 * use (schemas/) and the reference (docs/configuration.md); from the stack files, the secret
 * keys each needs (docs/stack-secrets.md), each stack's snapshot (tests/snapshots/<stack>/, its
 * render), the GitHub workflows and the default required checks (environment.ci); from policy/, the
 * policy pack compiled to JavaScript (policy-pack/). `--check`
 * writes nothing and exits 4 when a committed file is stale (the tests run it), so none can
 * drift from its source. The list: tools/generate/files.ts, tools/generate/snapshots.ts and
 * tools/generate/policyPack.ts.
 *
 *   npm run generate [-- --check]
 */
import * as fs from "fs";
import * as path from "path";
import { CommandSpec, EXIT, parseCommandLine, Parsed, runCommand } from "./cli";
import { derivedFiles } from "./generate/files";
import { existingPolicyPack } from "./generate/policyPack";
import { existingSnapshots, snapshotFiles } from "./generate/snapshots";

const REPO = path.resolve(__dirname, "..");

export interface GenerateOptions {
    readonly check: boolean;
}

export const SPEC = {
    name: "generate",
    usage: "npm run generate -- [--check]",
    summary:
        "Writes the derived files: schemas/*.schema.json and docs/configuration.md from the schema; docs/stack-secrets.md,\n" +
        "tests/snapshots/<stack>/ (each stack's render), .github/workflows/*.yml and config/schema/requiredChecks.ts from the stack files;\n" +
        "policy-pack/ (the policy pack compiled to JavaScript) from policy/.",
    options: { check: { type: "boolean", help: "write nothing; exit 4 and name the stale files when any differs from what would be written" } },
    exits: [[EXIT.findings, "--check: a derived file is stale or missing (run npm run generate)"]],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<GenerateOptions> {
    return parseCommandLine(SPEC, argv, (v) => ({ check: v.check === true }));
}

/** Writes (or with `check`, compares) the derived files under `repo`; returns the exit code. */
export async function generate(options: GenerateOptions, repo: string = REPO, write: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
    const stale: string[] = [];
    const apply = (files: Record<string, string>) => {
        for (const [file, content] of Object.entries(files)) {
            const target = path.join(repo, file);
            const current = fs.existsSync(target) ? fs.readFileSync(target, "utf8") : undefined;
            if (current === content) continue;
            stale.push(file);
            if (!options.check) {
                fs.mkdirSync(path.dirname(target), { recursive: true });
                fs.writeFileSync(target, content);
            }
        }
    };
    const derived = derivedFiles(repo);
    apply(derived);
    // A snapshot renders the program, which reads generated code (config/schema/requiredChecks.ts):
    // when this run rewrote the program's own code, render with the new code, not the loaded one.
    const rewroteCode = !options.check && path.resolve(repo) === REPO && stale.some((f) => f.endsWith(".ts"));
    const snapshots = await (rewroteCode ? freshSnapshots() : snapshotFiles)(repo);
    apply(snapshots);
    // The snapshot folder and policy-pack/ are the generator's: a file it would no longer write (a
    // removed object or rule file) goes.
    const written = (f: string) => Object.hasOwn(snapshots, f) || Object.hasOwn(derived, f);
    for (const file of [...existingSnapshots(repo), ...existingPolicyPack(repo)].filter((f) => !written(f))) {
        stale.push(file);
        if (!options.check) fs.rmSync(path.join(repo, file));
    }
    if (options.check) {
        write(stale.length === 0 ? "generate: every derived file is up to date\n" : `generate: stale, run 'npm run generate': ${stale.join(", ")}\n`);
        return stale.length === 0 ? EXIT.done : EXIT.findings;
    }
    write(stale.length === 0 ? "generate: nothing changed\n" : `generate: wrote ${stale.length} file${stale.length === 1 ? "" : "s"}: ${stale.join(", ")}\n`);
    return EXIT.done;
}

/** `snapshotFiles`, loaded again with every module of this repository (node_modules aside) read afresh. */
function freshSnapshots(): typeof snapshotFiles {
    for (const file of Object.keys(require.cache)) {
        if (file.startsWith(REPO + path.sep) && !file.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[file];
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require("./generate/snapshots") as typeof import("./generate/snapshots")).snapshotFiles;
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (options) => generate(options));
}
