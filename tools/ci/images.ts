/**
 * The images a stack runs, offline: what CI scans before a deploy, and (with --outputs) what a
 * deploy built and CI attests after it. docs/ci-images.md.
 *
 *   npm run images -- --stack <stack> [--outputs <file>] [--format lines|json|github]
 */
import * as fs from "fs";
import * as path from "path";
import { CommandSpec, EXIT, parseCommandLine, Parsed, Refusal, runCommand } from "../cli";
import { pushedImages, stackImages } from "./stackImages";

const REPO = path.resolve(__dirname, "..", "..");
const FORMATS = ["lines", "json", "github"] as const;
type Format = (typeof FORMATS)[number];

export interface ImagesOptions {
    readonly stack: string;
    readonly dir?: string;
    /** The stack outputs (`pulumi stack output --json`): list what the stack built instead. */
    readonly outputs?: string;
    readonly format: Format;
}

export const SPEC = {
    name: "images",
    usage: "npm run images -- --stack <stack> [--dir <project folder>] [--outputs <file>] [--format lines|json|github]",
    summary:
        "Lists the prebuilt images a stack runs, from its configuration, offline: one reference per line, each once,\n" +
        "<repository>:<tag>, or <repository>@sha256:<digest> where the configuration pins a digest. Tags resolve as in\n" +
        "a deploy: the stack file's, else from CI (GITHUB_SHA, GITHUB_REF). Services that build from source have no image\n" +
        "before 'pulumi up' and are not listed. With --outputs, lists instead the images the stack's last update built,\n" +
        "as its outputs name them (<repository>@sha256:<digest>).",
    options: {
        stack: { type: "string", short: "s", value: "<stack>", help: "the stack: Pulumi.<stack>.yaml in the project folder" },
        dir: { type: "string", value: "<project folder>", help: "the project folder holding Pulumi.yaml (default: this repository)" },
        outputs: { type: "string", value: "<file>", help: "the stack's outputs ('pulumi stack output --json'): list the images its services that build pushed" },
        format: {
            type: "string",
            value: "<format>",
            help: "how to print: lines, a reference on each (default); json, an array; github, images=<array> and, with --outputs, <service>-name and <service>-digest lines for $GITHUB_OUTPUT",
        },
    },
    exits: [[EXIT.refused, "no such stack, an invalid configuration, or outputs that are unreadable or name no pushed digest for a service that builds"]],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<ImagesOptions> {
    return parseCommandLine(SPEC, argv, (v) => {
        if (v.stack === undefined || v.stack === "") return "--stack is required";
        if (v.dir === "") return "--dir needs a folder";
        if (v.outputs === "") return "--outputs needs a file";
        const format = v.format ?? "lines";
        if (!(FORMATS as readonly string[]).includes(format)) return `--format: expected one of ${FORMATS.join(", ")}, got ${JSON.stringify(format)}`;
        return {
            stack: v.stack,
            format: format as Format,
            ...(v.dir !== undefined ? { dir: v.dir } : {}),
            ...(v.outputs !== undefined ? { outputs: v.outputs } : {}),
        };
    });
}

/** What the command prints for `options`, with CI variables from `ciEnv`. */
export function listImages(options: ImagesOptions, ciEnv: Readonly<Record<string, string | undefined>> = process.env): string {
    const images = stackImages(options.dir ?? REPO, options.stack, ciEnv);
    if (options.outputs === undefined) {
        return format(
            images.prebuilt.map((i) => i.ref),
            [],
            options.format,
        );
    }
    let outputs: unknown;
    try {
        outputs = JSON.parse(fs.readFileSync(options.outputs, "utf8"));
    } catch (e) {
        throw new Refusal(`${options.outputs}: cannot read the stack outputs: ${(e as Error).message}`);
    }
    const pushed = pushedImages(outputs, images.built, options.outputs);
    return format(
        pushed.map((p) => p.ref),
        pushed.flatMap((p) => [`${p.service}-name=${p.repository}`, `${p.service}-digest=${p.digest}`]),
        options.format,
    );
}

function format(refs: readonly string[], perService: readonly string[], how: Format): string {
    switch (how) {
        case "lines":
            return refs.map((r) => `${r}\n`).join("");
        case "json":
            return `${JSON.stringify(refs)}\n`;
        case "github":
            return [`images=${JSON.stringify(refs)}`, ...perService].map((l) => `${l}\n`).join("");
    }
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (options) => {
        process.stdout.write(listImages(options));
        return Promise.resolve(EXIT.done);
    });
}
