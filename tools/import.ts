/**
 * `npm run import -- <overlay-dir>... --out <project-dir>`: turns Kustomize overlays into a
 * project of this program (Pulumi.yaml with the catalog the overlays share, one
 * Pulumi.<stack>.yaml per overlay with what differs) and a report of what did not map. It never
 * reads a Secret's value: it prints the commands that copy each into a stack's secret config.
 *
 *   npm run import -- --help
 */
import * as path from "path";
import { findOnPath } from "../bench/which";
import { CommandSpec, EXIT, parseCommandLine, Parsed, Refusal, runCommand } from "./cli";
import { buildOverlay, Build } from "./import/kustomize";
import { parseManifests } from "./import/manifests";
import { dnsLabel, DNS_LABEL } from "./import/names";
import { importOverlay, ImportedOverlay } from "./import/overlay";
import { formatReport } from "./import/report";
import { splitProject } from "./import/split";
import { projectFiles, REPORT_FILE, writeProject } from "./import/write";

export interface ImportOptions {
    readonly overlays: readonly string[];
    readonly out: string;
    /** Stack names by overlay folder (as given); others are named after their folder. */
    readonly stacks: Readonly<Record<string, string>>;
}

export const SPEC = {
    name: "import",
    usage: "npm run import -- <overlay-dir>... --out <project-dir> [--stack <overlay-dir>=<name>,...]",
    summary:
        "Imports Kustomize overlays: builds each with 'kubectl kustomize' (a folder of plain manifests also works),\n" +
        "maps Deployments, StatefulSets, CronJobs and their Services, Ingresses, autoscalers, budgets, ConfigMaps,\n" +
        "Secrets and Roles to this program's settings, and writes a project folder: Pulumi.yaml (the catalog the\n" +
        "overlays share), one Pulumi.<stack>.yaml per overlay (what differs) and IMPORT-REPORT.md (what did not map,\n" +
        "by object and field, and the commands that set each secret config key; no secret value is read or written).\n" +
        "Then: npm run render -- <stack> --dir <project-dir>.",
    positionals: [{ name: "<overlay-dir>...", help: "Kustomize overlays (or folders of manifests), one stack each, named after the folder" }],
    options: {
        out: { type: "string", value: "<project-dir>", help: "the project folder to write (created; an earlier import there is replaced)" },
        stack: { type: "string", value: "<overlay-dir>=<name>,...", help: "name a stack other than its folder, e.g. overlays/prod=production" },
    },
    exits: [
        [EXIT.refused, "an overlay that does not build or is missing, stack names that clash, or an --out folder this tool did not write"],
        [EXIT.failed, "kubectl is missing, failed to run or timed out, or another error"],
    ],
} as const satisfies CommandSpec;

export function parseArgs(argv: readonly string[]): Parsed<ImportOptions> {
    return parseCommandLine(SPEC, argv, (v, positionals) => {
        if (positionals.length === 0) return "name at least one overlay folder";
        if (v.out === undefined || v.out === "") return "--out <project-dir> is required";
        const stacks: Record<string, string> = {};
        for (const pair of (v.stack ?? "").split(",").filter((p) => p !== "")) {
            const eq = pair.lastIndexOf("=");
            const [dir, name] = [pair.slice(0, eq), pair.slice(eq + 1)];
            if (eq <= 0 || !DNS_LABEL.test(name)) return `--stack needs <overlay-dir>=<name> with a DNS-1123 label as the name, got ${JSON.stringify(pair)}`;
            if (!positionals.some((p) => path.resolve(p) === path.resolve(dir))) return `--stack names ${JSON.stringify(dir)}, which is not one of the overlays given`;
            stacks[path.resolve(dir)] = name;
        }
        return { overlays: positionals, out: v.out, stacks };
    });
}

/** What an import produced, and how long each part took. */
export interface ImportResult {
    readonly files: Readonly<Record<string, string>>;
    readonly overlays: readonly ImportedOverlay[];
    readonly builds: readonly Build[];
    readonly mapMs: number;
}

/** Builds the overlays, maps them and returns the project's files (writes nothing). */
export async function importOverlays(opts: ImportOptions, kubectl = findOnPath("kubectl")): Promise<ImportResult> {
    const named = opts.overlays.map((dir) => ({ dir, stack: opts.stacks[path.resolve(dir)] ?? path.basename(path.resolve(dir)) }));
    for (const n of named) {
        if (!DNS_LABEL.test(n.stack)) throw new Refusal(`${n.dir}: '${n.stack}' is not a usable stack name; name it with --stack ${n.dir}=<name>`);
        if (named.filter((x) => x.stack === n.stack).length > 1) throw new Refusal(`two overlays would be stack '${n.stack}'; name one with --stack <overlay-dir>=<name>`);
    }
    const builds: Build[] = [];
    for (const n of named) builds.push(await buildOverlay(n.dir, kubectl));
    const started = process.hrtime.bigint();
    const overlays = named.map((n, i) => importOverlay(n.stack, parseManifests(builds[i].text, n.dir)));
    const project = projectName(opts.overlays, opts.out);
    const split = splitProject(project, overlays);
    const sources = Object.fromEntries(named.map((n) => [n.stack, path.relative(process.cwd(), path.resolve(n.dir)) || "."]));
    const secretKeys = Object.fromEntries(overlays.map((o) => [o.stack, [...o.overlay.secretKeys.keys()].sort()]));
    const files = projectFiles(project, split, formatReport(overlays, sources), secretKeys, Object.values(sources).join(", "));
    return { files, overlays, builds, mapMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Folder names that say where overlays live rather than what they are. */
const GENERIC = new Set(["overlays", "overlay", "envs", "environments", "kustomize", "deploy", "deployment", "k8s", "kubernetes", "manifests", "base"]);

/** The overlays' common name (the nearest shared folder that is not a generic one), else the out folder's. */
export function projectName(overlays: readonly string[], out: string): string {
    const dirs = overlays.map((d) => path.resolve(d).split(path.sep));
    const shared = dirs[0].slice(0, dirs[0].findIndex((_, i) => dirs.some((d) => d[i] !== dirs[0][i])) >>> 0);
    // A single overlay's own folder is its stack's name, not the project's.
    const candidates = (dirs.length === 1 ? dirs[0].slice(0, -1) : shared).reverse().slice(0, 3);
    const found = candidates.find((c) => c !== "" && !GENERIC.has(c.toLowerCase()));
    return dnsLabel(found ?? path.basename(path.resolve(out)), "imported");
}

async function run(opts: ImportOptions): Promise<number> {
    const result = await importOverlays(opts);
    const writeStarted = process.hrtime.bigint();
    writeProject(path.resolve(opts.out), result.files);
    const writeMs = Number(process.hrtime.bigint() - writeStarted) / 1e6;
    const out = path.relative(process.cwd(), path.resolve(opts.out)) || ".";
    const services = new Set(result.overlays.flatMap((o) => Object.keys(o.services))).size;
    // Written in one piece and waited for: the process exits right after, which would cut a long report sent to a pipe.
    await new Promise<void>((resolve) =>
        process.stdout.write(
            [
                result.files[REPORT_FILE],
                `wrote ${Object.keys(result.files).sort().join(", ")} to ${out}: ${services} services, ${result.overlays.length} stacks`,
                timingLine(result, writeMs),
                `next: npm run render -- ${result.overlays[0].stack} --dir ${out}`,
                "",
            ].join("\n"),
            () => resolve(),
        ),
    );
    return EXIT.done;
}

/** One line the bench reads: the build's own time apart from the mapping's. */
export function timingLine(r: ImportResult, writeMs: number): string {
    const build = r.builds.reduce((sum, b) => sum + b.ms, 0);
    return `timings: kubectl kustomize ${build.toFixed(0)} ms, mapping ${r.mapMs.toFixed(0)} ms, writing ${writeMs.toFixed(0)} ms`;
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), run);
}
