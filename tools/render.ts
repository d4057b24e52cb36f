/**
 * Offline rendering of a stack, like `helm template` or `kustomize build`: evaluates the real
 * program under Pulumi's mocks (no CLI, no cluster, no credentials), writes the Kubernetes
 * manifests as YAML and prints a summary. Exits 1 with the message on a configuration error.
 *
 *   npm run render -- --help
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { CommandSpec, EXIT, parseCommandLine, Parsed, Refusal, runCommand } from "./cli";
import { evaluate, isConfigError } from "./harness/evaluate";
import { toManifests, Manifest } from "./harness/manifests";
import { readStackFiles, StackFileError } from "./harness/stackFiles";
import { summarize, formatTable } from "./harness/summary";

const MARKER = ".rendered-by-platform";
const REPO = path.resolve(__dirname, "..");

export interface RenderOptions {
    readonly stack: string;
    readonly out?: string;
    readonly dir?: string;
}

export const SPEC = {
    name: "render",
    usage: "npm run render -- <stack> [--out <dir>] [--dir <project folder>]",
    summary:
        "Renders a stack offline, like 'helm template': runs the real program under Pulumi's mocks (no CLI, no\n" +
        "cluster, no credentials), writes each Kubernetes object as YAML and prints a table of the services.\n" +
        "Secrets are written as \"<redacted>\".",
    positionals: [{ name: "<stack>", help: "the stack to render: Pulumi.<stack>.yaml in the project folder" }],
    options: {
        out: { type: "string", value: "<dir>", help: "where to write the manifests (default: rendered/<stack>); replaced whole on each run" },
        dir: { type: "string", value: "<project folder>", help: "the project folder holding Pulumi.yaml (default: this repository)" },
    },
    exits: [
        [EXIT.refused, "no such stack, an invalid configuration, or an --out folder this tool did not write"],
        [EXIT.failed, "the program failed for another reason"],
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<RenderOptions> {
    return parseCommandLine(SPEC, argv, (v, positionals) => {
        if (positionals.length !== 1) return `name exactly one stack, got ${positionals.length}`;
        if (v.out === "") return "--out needs a folder";
        if (v.dir === "") return "--dir needs a folder";
        return { stack: positionals[0], ...(v.out !== undefined ? { out: v.out } : {}), ...(v.dir !== undefined ? { dir: v.dir } : {}) };
    });
}

async function render(args: RenderOptions): Promise<number> {
    let stack;
    try {
        stack = readStackFiles(args.dir ?? REPO, args.stack, { fillSecrets: true });
    } catch (e) {
        // The project's files are the input: a missing or broken one is a refusal, not a failure.
        if (e instanceof StackFileError || isUnreadable(e)) throw new Refusal((e as Error).message);
        if (isConfigError(e) || e instanceof YAML.YAMLError) throw new Refusal(`stack '${args.stack}': ${e.message}`);
        throw e;
    }
    const ev = await evaluate(stack);
    if (ev.error) {
        process.stderr.write(`render: stack '${args.stack}': ${ev.error.message}\n`);
        return isConfigError(ev.error) ? EXIT.refused : EXIT.failed;
    }
    const manifests = toManifests(ev.resources);
    const out = path.resolve(args.out ?? path.join(REPO, "rendered", args.stack));
    writeFolder(out, manifests);

    if (stack.placeholders.length > 0) {
        process.stdout.write(`secret config not set here, rendered as "<redacted>": ${stack.placeholders.join(", ")}\n`);
    }
    process.stdout.write(`stack ${args.stack}: ${manifests.length} objects in namespace ${(ev.outputs as { namespace: string }).namespace} -> ${path.relative(process.cwd(), out) || "."}\n\n`);
    process.stdout.write(formatTable(summarize(manifests)) + "\n");
    return EXIT.done;
}

function isUnreadable(e: unknown): boolean {
    return ["ENOENT", "ENOTDIR", "EISDIR", "EACCES"].includes((e as NodeJS.ErrnoException).code ?? "");
}

function writeFolder(out: string, manifests: readonly Manifest[]): void {
    if (fs.existsSync(out)) {
        if (fs.readdirSync(out).length > 0 && !fs.existsSync(path.join(out, MARKER))) {
            throw new Refusal(`refusing to overwrite ${out}: it exists and was not written by this tool`);
        }
        fs.rmSync(out, { recursive: true });
    }
    fs.mkdirSync(out, { recursive: true });
    fs.writeFileSync(path.join(out, MARKER), "Written by `npm run render`; the whole folder is replaced on each run.\n");
    manifests.forEach((m, i) => {
        const file = `${String(i).padStart(2, "0")}-${m.kind.toLowerCase()}-${m.metadata.name}.yaml`;
        fs.writeFileSync(path.join(out, file), YAML.stringify(m, { sortMapEntries: true }));
    });
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), render);
}
