/**
 * Offline rendering of a stack, like `helm template` or `kustomize build`: evaluates the real
 * program under Pulumi's mocks (no CLI, no cluster, no credentials), writes the Kubernetes
 * manifests, the stack outputs and the GitHub resources as YAML, prints a summary, and runs the
 * policy pack. Exits 1 with the message on a configuration error, 4 on a mandatory finding.
 *
 *   npm run render -- --help
 */
import * as path from "path";
import YAML from "yaml";
import { RULES } from "../policy/rules";
import { CommandSpec, EXIT, parseCommandLine, Parsed, Refusal, runCommand } from "./cli";
import { evaluate, isConfigError } from "./harness/evaluate";
import { problemsWithFiles } from "./render/problems";
import { toManifests } from "./harness/manifests";
import { checkRules, policyResources, redactFindings } from "./harness/policy";
import { readStackFiles, StackFileError } from "./harness/stackFiles";
import { summarize, formatTable } from "./harness/summary";
import { blocks, formatFindings } from "./render/findings";
import { renderedFiles, writeFolder } from "./render/folder";
import { toGithubDocuments } from "./render/github";

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
        "cluster, no credentials), writes each Kubernetes object as YAML (<kind>-<name>.yaml), the stack outputs\n" +
        "(outputs.yaml) and each GitHub resource (github/), prints a table of the services, then runs the policy\n" +
        "pack (policy/) and prints its findings. Secrets are written as \"<redacted>\".",
    positionals: [{ name: "<stack>", help: "the stack to render: Pulumi.<stack>.yaml in the project folder" }],
    options: {
        out: { type: "string", value: "<dir>", help: "where to write the files (default: rendered/<stack>); replaced whole on each run" },
        dir: { type: "string", value: "<project folder>", help: "the project folder holding Pulumi.yaml (default: this repository)" },
    },
    exits: [
        [EXIT.refused, "no such stack, an invalid configuration, or an --out folder this tool did not write"],
        [EXIT.failed, "the program failed for another reason"],
        [EXIT.findings, "a mandatory policy finding (printed; the files are written)"],
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
        process.stderr.write(`render: stack '${args.stack}': ${isConfigError(ev.error) ? problemsWithFiles(ev.error, stack) : ev.error.message}\n`);
        return isConfigError(ev.error) ? EXIT.refused : EXIT.failed;
    }
    const manifests = toManifests(ev.resources);
    const namespace = (ev.outputs as { namespace: string }).namespace;
    const out = path.resolve(args.out ?? path.join(REPO, "rendered", args.stack));
    writeFolder(out, renderedFiles({ manifests, github: toGithubDocuments(ev.resources), outputs: ev.outputs, namespace }));

    if (stack.placeholders.length > 0) {
        process.stdout.write(`secret config not set here, rendered as "<redacted>": ${stack.placeholders.join(", ")}\n`);
    }
    process.stdout.write(`stack ${args.stack}: ${manifests.length} objects in namespace ${namespace} -> ${path.relative(process.cwd(), out) || "."}\n\n`);
    process.stdout.write(formatTable(summarize(manifests)) + "\n\n");

    const findings = redactFindings(checkRules(policyResources(ev, stack.project, stack.stack)), ev);
    process.stdout.write(formatFindings(findings, RULES.length));
    if (blocks(findings)) {
        process.stderr.write(`render: stack '${args.stack}': mandatory policy findings (above); 'pulumi preview' would fail\n`);
        return EXIT.findings;
    }
    return EXIT.done;
}

function isUnreadable(e: unknown): boolean {
    return ["ENOENT", "ENOTDIR", "EISDIR", "EACCES"].includes((e as NodeJS.ErrnoException).code ?? "");
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), render);
}
