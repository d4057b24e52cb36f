/**
 * A semantic diff between what a Kustomize overlay renders and what a stack of this program
 * renders, object by object, for a team to review before this program takes a running
 * Kustomize system over: the real differences, the hardening the platform adds on purpose,
 * the immutable fields that would make an update fail, and the overlay's generated objects to
 * delete after the switch. docs/compare.md says what it compares.
 *
 *   npm run compare -- --help
 */
import * as path from "path";
import { CommandSpec, EXIT, parseCommandLine, Parsed, Refusal, runCommand } from "./cli";
import { compareManifests, differs } from "./compare/compareObjects";
import { readOverlay } from "./compare/kustomize";
import { formatReport } from "./compare/report";
import { renderStack } from "./render/stack";

const REPO = path.resolve(__dirname, "..");

export interface CompareOptions {
    readonly overlay: string;
    readonly stack: string;
    readonly dir?: string;
}

export const SPEC = {
    name: "compare",
    usage: "npm run compare -- <overlay folder> --stack <stack> [--dir <project folder>]",
    summary:
        "Compares what a Kustomize overlay renders ('kubectl kustomize <overlay folder>', or the manifests of a folder\n" +
        "without a kustomization file) with what a stack of this program renders offline, object by object: fields\n" +
        "added, changed and removed, apart from the defaults Kubernetes fills in and the hardening the platform adds on\n" +
        "purpose (listed apart); immutable fields that differ; the overlay's generated ConfigMaps and Secrets to delete\n" +
        "after the switch, with the command. Secret values are compared by digest and printed as \"<redacted>\".",
    positionals: [{ name: "<overlay folder>", help: "the overlay's folder (holding kustomization.yaml), or a folder of manifests" }],
    options: {
        stack: { type: "string", short: "s", value: "<stack>", help: "the stack to compare with: Pulumi.<stack>.yaml in the project folder" },
        dir: { type: "string", value: "<project folder>", help: "the project folder holding Pulumi.yaml (default: this repository)" },
    },
    exits: [
        [EXIT.refused, "no such overlay folder, a kustomize error, no such stack, or an invalid configuration"],
        [EXIT.failed, "kubectl is not on PATH, or the program failed for another reason"],
        [EXIT.findings, "they differ: real differences, immutable fields, or objects only one side has (printed)"],
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<CompareOptions> {
    return parseCommandLine(SPEC, argv, (v, positionals) => {
        if (positionals.length !== 1) return `name exactly one overlay folder, got ${positionals.length}`;
        if (v.stack === undefined || v.stack === "") return "--stack is required";
        if (v.dir === "") return "--dir needs a folder";
        return { overlay: positionals[0], stack: v.stack, ...(v.dir !== undefined ? { dir: v.dir } : {}) };
    });
}

/** Runs the comparison and prints the report; 4 when they differ. */
export async function compare(options: CompareOptions, write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
    const overlay = await readOverlay(options.overlay);
    const dir = options.dir ?? REPO;
    let stack;
    try {
        stack = await renderStack(dir, options.stack);
    } catch (e) {
        // The render's messages name the stack or its file; say which project folder too.
        if (e instanceof Refusal) throw new Refusal(`project ${dir}: ${e.message}`);
        throw e;
    }
    const lookups = new Map(stack.evaluation.lookups.map((l) => [l.name, l.digest]));
    const comparison = compareManifests(overlay.objects, stack.manifests, stack.namespace, lookups);
    write(
        formatReport(comparison, {
            overlay: options.overlay,
            overlayHow: overlay.how,
            stack: options.stack,
            project: `project ${stack.config.project}${options.dir !== undefined ? ` in ${options.dir}` : ""}`,
            namespace: stack.namespace,
        }),
    );
    return differs(comparison) ? EXIT.findings : EXIT.done;
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (options) => compare(options));
}
