/**
 * Offline rendering of a stack, like `helm template` or `kustomize build`: evaluates the real
 * program under Pulumi's mocks (no CLI, no cluster, no credentials), writes the Kubernetes
 * manifests, the stack outputs and the GitHub resources as YAML, prints a summary, and runs the
 * policy pack. With `--diff <git-ref>`, like `helm diff`: renders the configuration as it was at
 * that commit with today's code, and prints what changes, file by file. Exits 1 with the message
 * on a configuration error, 4 on a mandatory finding or (with --diff) a difference.
 *
 *   npm run render -- --help
 */
import * as path from "path";
import { RULES } from "../policy/rules";
import { CommandSpec, EXIT, parseCommandLine, Parsed, Refusal, runCommand } from "./cli";
import { checkRules, policyResources, redactFindings } from "./harness/policy";
import { summarize, formatTable } from "./harness/summary";
import { describeImages } from "./render/images";
import { configurationAt } from "./render/atCommit";
import { compareRenders, formatChanges, summaryLine } from "./render/compare";
import { blocks, formatFindings } from "./render/findings";
import { writeFolder } from "./render/folder";
import { renderStack, StackRender } from "./render/stack";

const REPO = path.resolve(__dirname, "..");

export interface RenderOptions {
    readonly stack: string;
    readonly out?: string;
    readonly dir?: string;
    /** A git ref: print what changed since the configuration at that commit instead of the table. */
    readonly diff?: string;
}

export const SPEC = {
    name: "render",
    usage: "npm run render -- <stack> [--out <dir>] [--dir <project folder>] [--diff <git-ref>]",
    summary:
        "Renders a stack offline, like 'helm template': runs the real program under Pulumi's mocks (no CLI, no\n" +
        "cluster, no credentials), writes each Kubernetes object as YAML (<kind>-<name>.yaml), the stack outputs\n" +
        "(outputs.yaml) and each GitHub resource (github/), prints a table of the services, then runs the policy\n" +
        "pack (policy/) and prints its findings. Secrets are written as \"<redacted>\".\n" +
        "With --diff <git-ref>, like 'helm diff': renders the stack's configuration files as they were at that\n" +
        "commit with today's code, and the working tree's, and prints each added, changed and removed file as a\n" +
        "unified diff, then a summary line and the policy findings; it writes files only with --out.",
    positionals: [{ name: "<stack>", help: "the stack to render: Pulumi.<stack>.yaml in the project folder" }],
    options: {
        out: { type: "string", value: "<dir>", help: "where to write the files (default: rendered/<stack>, none with --diff); replaced whole on each run" },
        dir: { type: "string", value: "<project folder>", help: "the project folder holding Pulumi.yaml (default: this repository)" },
        diff: { type: "string", value: "<git-ref>", help: "show what changed since the configuration at this commit (both rendered with today's code)" },
    },
    exits: [
        [EXIT.refused, "no such stack, an invalid configuration (now or, with --diff, at the ref), a ref that names no commit, or an --out folder this tool did not write"],
        [EXIT.failed, "the program failed for another reason, or git is missing"],
        [EXIT.findings, "a mandatory policy finding (printed; the files are written); with --diff, also any difference"],
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<RenderOptions> {
    return parseCommandLine(SPEC, argv, (v, positionals) => {
        if (positionals.length !== 1) return `name exactly one stack, got ${positionals.length}`;
        if (v.out === "") return "--out needs a folder";
        if (v.dir === "") return "--dir needs a folder";
        // git would read a ref starting with a dash as an option.
        if (v.diff !== undefined && (v.diff === "" || v.diff.startsWith("-"))) return `--diff needs a git ref (a commit, branch or tag), got ${JSON.stringify(v.diff)}`;
        return {
            stack: positionals[0],
            ...(v.out !== undefined ? { out: v.out } : {}),
            ...(v.dir !== undefined ? { dir: v.dir } : {}),
            ...(v.diff !== undefined ? { diff: v.diff } : {}),
        };
    });
}

async function render(args: RenderOptions): Promise<number> {
    const dir = args.dir ?? REPO;
    const now = await renderStack(dir, args.stack);
    if (args.diff !== undefined) return diff(args, dir, args.diff, now);

    const out = path.resolve(args.out ?? path.join(REPO, "rendered", args.stack));
    writeFolder(out, now.files);
    printPlaceholders(now);
    process.stdout.write(`stack ${args.stack}: ${now.manifests.length} objects in namespace ${now.namespace} -> ${path.relative(process.cwd(), out) || "."}\n\n`);
    process.stdout.write(formatTable(summarize(now.manifests)) + "\n\n");
    process.stdout.write(describeImages(now.evaluation, now.config));
    return policy(args.stack, now);
}

/**
 * `--diff`: the configuration at the ref, rendered with today's code, against the working tree's.
 * A stack file added since the ref renders as nothing there, so every file shows as added.
 */
async function diff(args: RenderOptions, dir: string, ref: string, now: StackRender): Promise<number> {
    const at = configurationAt(dir, ref, args.stack);
    let before;
    try {
        before = at.stackExisted ? await renderStack(at.folder, args.stack) : undefined;
    } catch (e) {
        if (e instanceof Refusal) throw new Refusal(`the configuration at '${ref}' does not render with today's code: ${e.message}`);
        throw e;
    } finally {
        at.remove();
    }
    if (args.out !== undefined) writeFolder(path.resolve(args.out), now.files);

    const short = at.commit.slice(0, 7);
    process.stdout.write(
        `stack ${args.stack}: the configuration at '${ref}' (${short}) and the working tree's, both rendered with today's code ` +
            `(a change of code since then does not show)\n`,
    );
    if (!before) process.stdout.write(`Pulumi.${args.stack}.yaml did not exist at '${ref}': every file is added\n`);
    printPlaceholders(now);
    if (args.out !== undefined) process.stdout.write(`the working tree's render is written to ${path.relative(process.cwd(), path.resolve(args.out)) || "."}\n`);
    process.stdout.write("\n");
    const comparison = compareRenders(before?.files ?? [], now.files);
    process.stdout.write(formatChanges(comparison.changes));
    process.stdout.write(`stack ${args.stack} since '${ref}': ${summaryLine(comparison)}\n\n`);
    const code = policy(args.stack, now);
    return comparison.changes.length > 0 ? EXIT.findings : code;
}

function printPlaceholders(r: StackRender): void {
    if (r.config.placeholders.length > 0) {
        process.stdout.write(`secret config not set here, rendered as "<redacted>": ${r.config.placeholders.join(", ")}\n`);
    }
}

/** Runs the policy pack on a render and prints its findings: 4 when a mandatory one blocks. */
function policy(stack: string, r: StackRender): number {
    const findings = redactFindings(checkRules(policyResources(r.evaluation, r.config.project, r.config.stack)), r.evaluation);
    process.stdout.write(formatFindings(findings, RULES.length));
    if (blocks(findings)) {
        process.stderr.write(`render: stack '${stack}': mandatory policy findings (above); 'pulumi preview' would fail\n`);
        return EXIT.findings;
    }
    return EXIT.done;
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), render);
}
