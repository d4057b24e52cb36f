/**
 * Offline rendering of a stack, like `helm template` or `kustomize build`: evaluates the real
 * program under Pulumi's mocks (no CLI, no cluster, no credentials), writes the Kubernetes
 * manifests as YAML and prints a summary. Exits 1 with the message on a configuration error.
 *
 *   npm run render -- <stack> [--out <dir>] [--dir <project folder>]
 */
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { evaluate, isConfigError } from "./harness/evaluate";
import { toManifests, Manifest } from "./harness/manifests";
import { readStackFiles, StackFileError } from "./harness/stackFiles";
import { summarize, formatTable } from "./harness/summary";

const MARKER = ".rendered-by-platform";
const REPO = path.resolve(__dirname, "..");

async function main(argv: string[]): Promise<number> {
    const args = parseArgs(argv);
    if (typeof args === "string") {
        process.stderr.write(`${args}\nusage: npm run render -- <stack> [--out <dir>] [--dir <project folder>]\n`);
        return 2;
    }
    let stack;
    try {
        stack = readStackFiles(args.dir ?? REPO, args.stack, { fillSecrets: true });
    } catch (e) {
        if (e instanceof StackFileError) {
            process.stderr.write(`error: ${e.message}\n`);
            return 1;
        }
        throw e;
    }
    const ev = await evaluate(stack);
    if (ev.error) {
        process.stderr.write(`error: stack '${args.stack}': ${ev.error.message}\n`);
        return isConfigError(ev.error) ? 1 : 3;
    }
    const manifests = toManifests(ev.resources);
    const out = path.resolve(args.out ?? path.join(REPO, "rendered", args.stack));
    writeFolder(out, manifests);

    if (stack.placeholders.length > 0) {
        process.stdout.write(`secret config not set here, rendered as "<redacted>": ${stack.placeholders.join(", ")}\n`);
    }
    process.stdout.write(`stack ${args.stack}: ${manifests.length} objects in namespace ${(ev.outputs as { namespace: string }).namespace} -> ${path.relative(process.cwd(), out) || "."}\n\n`);
    process.stdout.write(formatTable(summarize(manifests)) + "\n");
    return 0;
}

function writeFolder(out: string, manifests: readonly Manifest[]): void {
    if (fs.existsSync(out)) {
        if (fs.readdirSync(out).length > 0 && !fs.existsSync(path.join(out, MARKER))) {
            throw new Error(`refusing to overwrite ${out}: it exists and was not written by this tool`);
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

function parseArgs(argv: string[]): { stack: string; out?: string; dir?: string } | string {
    const positional: string[] = [];
    const options: { out?: string; dir?: string } = {};
    for (let i = 0; i < argv.length; i++) {
        const option = /^--(out|dir)$/.exec(argv[i])?.[1] as "out" | "dir" | undefined;
        if (option) {
            options[option] = argv[++i];
            if (!options[option]) return `--${option} needs a folder`;
        } else if (argv[i].startsWith("-")) {
            return `unknown option ${argv[i]}`;
        } else {
            positional.push(argv[i]);
        }
    }
    if (positional.length !== 1) return "name exactly one stack";
    return { stack: positional[0], ...options };
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: Error) => {
        process.stderr.write(`error: ${e.message}\n`);
        process.exit(3);
    },
);
