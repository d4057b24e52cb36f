/**
 * Promotion: production runs exactly what staging ran. Reads the source stack's `releases`
 * output (the image each service runs, by digest) and writes those digests and tags into the
 * target's stack file, for review in a pull request (docs/promotion.md).
 *
 *   npm run promote -- --help
 */
import * as fs from "fs";
import * as path from "path";
import { readProjectFile } from "../config/projectFile";
import { CommandSpec, EXIT, parseCommandLine, Parsed, runCommand, signalExit, signalExits, tolerateClosedPipes } from "./cli";
import { pinImages } from "./promote/edit";
import { pinsOf, planPromotion } from "./promote/plan";
import { Interrupts } from "./interrupts";
import { capture } from "./processes";
import { releasesCommand, releasesJson } from "./promote/pulumi";
import { parseReleases } from "./promote/releases";
import { projectName, stackOption, stackRef } from "./pulumi/stacks";
import { summaryTable } from "./promote/summary";
import { readTarget, STAND_IN_CI } from "./promote/target";
import { checkEdited } from "./promote/verify";

export interface Options {
    /** The stack whose running images are promoted, short or organization-qualified. */
    readonly from: string;
    /** The stack whose stack file receives them. */
    readonly to: string;
    readonly dryRun: boolean;
    readonly allowMissing: boolean;
}

export const SPEC = {
    name: "promote",
    usage: "npm run promote -- --from <stack> --to <stack> [--dry-run] [--allow-missing]",
    summary:
        "Promotes what one stack runs to another (docs/promotion.md): reads the images the --from stack runs now\n" +
        "(its 'releases' output, through 'pulumi stack output'), and writes each one's digest and tag into the\n" +
        "--to stack's file, Pulumi.<stack>.yaml, under environment.services.<service>.image, for every service the\n" +
        "--to stack runs from a prebuilt image. Services turned off there, or built from source there, are left\n" +
        "alone. Comments and layout are kept; commit the file and open a pull request: its diff is exactly the\n" +
        "digests that change, and deploying the merge runs them. Running it again changes nothing.",
    options: {
        from: { type: "string", value: "<stack>", help: "the stack whose running images are promoted, e.g. staging or acme/hft-platform/staging (required)" },
        to: { type: "string", value: "<stack>", help: "the stack whose file Pulumi.<stack>.yaml receives them, e.g. production (required)" },
        "dry-run": { type: "boolean", help: "print what would change; write nothing" },
        "allow-missing": { type: "boolean", help: "keep the current image of a service the --to stack runs but the --from stack never ran (default: refuse)" },
    },
    exits: [
        [EXIT.refused, "a missing stack file, no (or a malformed) 'releases' output, another repository, a service the --from stack never ran, an invalid configuration; nothing written"],
        [EXIT.failed, "'pulumi' is missing or failed; nothing written"],
        ...signalExits("; nothing written"),
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<Options> {
    return parseCommandLine(SPEC, argv, (v) => {
        const from = stackOption("--from", v.from);
        if ("problem" in from) return from.problem;
        const to = stackOption("--to", v.to);
        if ("problem" in to) return to.problem;
        if (from.name.split("/").pop() === to.name.split("/").pop()) return `--from and --to name the same stack file, Pulumi.${to.name.split("/").pop()}.yaml`;
        return { from: from.name, to: to.name, dryRun: v["dry-run"] === true, allowMissing: v["allow-missing"] === true };
    });
}

export interface Io {
    /** The project folder, holding Pulumi.yaml and the stack files. */
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    readonly out: (line: string) => void;
    readonly err: (line: string) => void;
}

/** Promotes; the exit code (SPEC.exits, docs/exit-codes.md), or a `Refusal` thrown. */
export async function promote(opts: Options, io: Io): Promise<number> {
    const project = projectName(io.cwd);
    const from = stackRef(io.cwd, project, opts.from, "--from");
    const to = stackRef(io.cwd, project, opts.to, "--to");
    const toFile = path.basename(to.file);

    // The target first: offline, and refused before anything asks the backend.
    const { files: target, resolved } = readTarget(io.cwd, to, STAND_IN_CI);
    const services = resolved.services;

    // A signal stops the tool before it writes; the read it waits for is stopped too.
    const interrupts = Interrupts.listen();
    let output;
    try {
        output = await capture("pulumi", releasesCommand(from.name), { cwd: io.cwd, env: io.env }, interrupts.track);
    } finally {
        interrupts.close();
    }
    const signal = interrupts.signal();
    if (signal) {
        io.err(`promote: interrupted (${signal}); nothing was written`);
        return signalExit(signal);
    }
    const releases = parseReleases(releasesJson(from.name, output), from.name);

    const stacks = { from: from.name, to: to.name, file: toFile };
    const plan = planPromotion(releases, services, stacks, opts.allowMissing);
    const text = readProjectFile(io.cwd, toFile);
    const edited = pinImages(text, project, toFile, pinsOf(plan));
    if (edited.changed.length > 0) {
        checkEdited(target, edited.document, plan.rows, toFile);
    }
    if (edited.changed.length > 0 && !opts.dryRun) {
        writeAtomically(to.file, edited.text);
    }

    io.out(`promote ${from.name} -> ${to.name} (${toFile})`);
    io.out("");
    io.out(summaryTable(plan, edited.changed, stacks));
    io.out("");
    if (plan.unknown.length > 0) {
        io.out(`${from.name} also runs ${plan.unknown.join(", ")}, which ${to.name}'s catalog does not have: not promoted`);
    }
    const count = `${edited.changed.length} service${edited.changed.length === 1 ? "" : "s"}`;
    if (edited.changed.length === 0) {
        io.out(`${toFile} already names what ${from.name} runs: nothing to change`);
    } else if (opts.dryRun) {
        io.out(`--dry-run: ${toFile} would change for ${count}; nothing was written`);
    } else {
        io.out(`wrote ${toFile}: ${count} now name${edited.changed.length === 1 ? "s" : ""} ${from.name}'s image; review 'git diff ${toFile}', commit it and open a pull request`);
    }
    if (edited.relaidOut) {
        io.out(`note: the layout of ${toFile} could not be kept line by line, so the YAML library printed it whole; check the diff`);
    }
    return EXIT.done;
}

/** Replaces a file whole or not at all (a crash or a full disk never leaves half a stack file), keeping its mode. */
function writeAtomically(file: string, text: string): void {
    const temporary = path.join(path.dirname(file), `.${path.basename(file)}.promote-${process.pid}`);
    try {
        fs.writeFileSync(temporary, text, { mode: fs.statSync(file).mode });
        fs.renameSync(temporary, file);
    } finally {
        fs.rmSync(temporary, { force: true });
    }
}

if (require.main === module) {
    tolerateClosedPipes();
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (opts) =>
        promote(opts, {
            cwd: process.cwd(),
            env: process.env,
            out: (l) => process.stdout.write(`${l}\n`),
            err: (l) => process.stderr.write(`${l}\n`),
        }),
    );
}
