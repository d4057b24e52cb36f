/** The benchmark's printed report: the figures, how they grow, and the targets. */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { StackConfig } from "../tools/harness/stackFiles";
import { Command, memorySource, Sample } from "./measure";
import type { ChildReport } from "./preload";
import { Loader, LOADERS, MAX_ARG_STRLEN } from "./runner";
import { growthExponent, linearFit, summarize, Summary } from "./stats";

export interface BenchCase {
    readonly id: string;
    readonly label: string;
    readonly tool: "node" | "pulumi" | "kustomize" | "import";
    /**
     * "before": how the program ran before this project tuned it; "diagnostic": not a supported
     * setting; "floor": a program that is not this one (it does not skip the SDK's promise traces);
     * "loader": this program through a TypeScript loader Pulumi.yaml does not name, for comparison.
     */
    readonly role?: "before" | "diagnostic" | "floor" | "loader";
    /** The TypeScript loader the case must run with (checked against its report); undefined for others. */
    readonly loader?: Loader;
    readonly services?: number;
    readonly runs: number;
    readonly command: Command;
    readonly reportFile?: string;
    readonly samples: Sample[];
    readonly reports: ChildReport[];
    /** The stack configuration a Pulumi case runs with. */
    readonly stack?: StackConfig;
    /** Size of the PULUMI_CONFIG environment string the language host would pass. */
    readonly configBytes?: number;
    /** Objects a kustomize build printed. */
    objects?: number;
}

export interface ReportMeta {
    readonly runs: number;
    /** One-minute load average at the start and at the end. */
    readonly load: readonly number[];
    /** Where kubectl was found on PATH; undefined when it was not (no kustomize comparison). */
    readonly kubectl: string | undefined;
    readonly runtime: unknown;
    /** The loader Pulumi.yaml's runtime registers, when it is one the bench compares. */
    readonly loader: Loader | undefined;
}

const TARGETS = { services: 200, stagingMs: 800, largestMs: 2500, peakMiB: 300, stepRatio: 1.5 };

type Points = (readonly [number, number])[];
type Get = (id: string) => BenchCase;

const wall = (c: BenchCase): Summary => summarize(c.samples.map((x) => x.wallMs));
const cpu = (c: BenchCase): number => summarize(c.samples.map((x) => x.cpuMs)).median;
const peakMiB = (c: BenchCase): number => Math.max(...c.samples.map((x) => x.peakKiB)) / 1024;

/** Prints the report; returns the targets it found not met. */
export function printReport(cases: readonly BenchCase[], meta: ReportMeta): string[] {
    const byId = new Map(cases.map((c) => [c.id, c]));
    const get: Get = (id) => {
        const c = byId.get(id);
        if (!c) throw new Error(`no bench case ${id}`);
        return c;
    };
    const sizes = cases.filter((c) => /^pulumi-\d+$/.test(c.id)).map((c) => c.services!);
    const goals = targets(cases, get, sizes, meta.kubectl !== undefined);
    const lines = [
        ...header(get, meta),
        ...baseline(get),
        ...catalogs(get, sizes),
        ...growth(get, sizes, meta.kubectl !== undefined),
        ...beforeAfter(get, sizes),
        ...loaders(get, sizes, meta.loader),
        ...importer(cases),
        ...goals.lines,
    ];
    process.stdout.write(lines.join("\n") + "\n");
    return goals.missed;
}

function header(get: Get, meta: ReportMeta): string[] {
    return [
        `hft-platform bench: ${meta.runs} runs per case ("before" and diagnostic cases: ${get("staging-default").samples.length}), after one warm-up round`,
        machine(meta.load),
        `versions: ${versions(meta.kubectl)}`,
        `Pulumi.yaml runtime: ${JSON.stringify(meta.runtime)}`,
        `wall: spawn to exit, median [min - max]; cpu: user + system, median; peak memory: ${memorySource}, highest of the runs`,
        "",
    ];
}

/** The machine, node and the one-minute load average at the start and at the end. */
export function machine(load: readonly number[]): string {
    return `machine: ${os.cpus().length} x ${os.cpus()[0]?.model.trim() ?? "cpu"}, node ${process.version}, load average ${load.map((l) => l.toFixed(2)).join(" -> ")} (1 min)`;
}

function baseline(get: Get): string[] {
    const rows = ["floor", "runtime-floor", "staging", "staging-default", "staging-transpile"].map((id) => {
        const c = get(id);
        const r = c.reports[0];
        return [c.label, span(wall(c)), s(cpu(c)), mib(peakMiB(c)), r ? `${r.resources} (${r.kubernetesObjects} objects)` : "-"];
    });
    return [table(["case", "wall", "cpu", "peak", "resources"], rows), ""];
}

function catalogs(get: Get, sizes: readonly number[]): string[] {
    const rows = sizes.map((n) => {
        const p = get(`pulumi-${n}`);
        const k = kustomizeCase(get, n);
        const r = p.reports[0];
        const pw = wall(p);
        const kw = k && wall(k);
        return [
            String(n),
            `${((p.configBytes ?? 0) / 1024).toFixed(0)} KiB${(p.configBytes ?? 0) > MAX_ARG_STRLEN ? " (!)" : ""}`,
            span(pw),
            s(cpu(p)),
            mib(peakMiB(p)),
            `${r.resources} (${r.kubernetesObjects})`,
            `${((r.resources / pw.median) * 1000).toFixed(0)}/s`,
            kw ? span(kw) : "-",
            k ? s(cpu(k)) : "-",
            k ? mib(peakMiB(k)) : "-",
            k?.objects !== undefined ? String(k.objects) : "-",
            kw && k?.objects ? `${((k.objects / kw.median) * 1000).toFixed(0)}/s` : "-",
            kw ? `${(kw.median / pw.median).toFixed(2)}x` : "-",
        ];
    });
    const out = [
        "generated catalogs (each service: Deployment, Service, Ingress, HPA, PDB, NetworkPolicy, ServiceAccount, ConfigMap, Secret)",
        table(["services", "PULUMI_CONFIG", "pulumi wall", "cpu", "peak", "resources (objects)", "resources/s", "kustomize wall", "cpu", "peak", "objects", "objects/s", "kustomize / pulumi"], rows),
    ];
    const oversize = sizes.filter((n) => (get(`pulumi-${n}`).configBytes ?? 0) > MAX_ARG_STRLEN);
    if (oversize.length > 0) {
        const fit = linearFit(sizes.map((n) => [n, get(`pulumi-${n}`).configBytes ?? 0] as const));
        out.push(
            `  (!) ${oversize.join(", ")} services: PULUMI_CONFIG is over Linux's ${MAX_ARG_STRLEN / 1024} KiB limit for one environment string; real \`pulumi preview\``,
            `      fails before the program starts ("fork/exec node: argument list too long", pulumi/pulumi#8680). Timed here with the`,
            `      configuration handed over in a file. At ${fit.slope.toFixed(0)} bytes per generated service the limit is ~${Math.floor((MAX_ARG_STRLEN - fit.intercept) / fit.slope)} services.`,
        );
    }
    return [...out, ""];
}

function growth(get: Get, sizes: readonly number[], kubectl: boolean): string[] {
    const out = ["growth with catalog size (marginal cost per added service between sizes; line fit; exponent k: 1 linear, 2 quadratic)"];
    const series: [string, Points][] = [
        ["pulumi wall", points(get, "pulumi", sizes, (c) => wall(c).median)],
        ["pulumi cpu", points(get, "pulumi", sizes, cpu)],
        ...(kubectl ? ([["kustomize wall", points(get, "kustomize", sizes, (c) => wall(c).median)], ["kustomize cpu", points(get, "kustomize", sizes, cpu)]] as [string, Points][]) : []),
    ];
    for (const [name, pts] of series) {
        if (pts.length < 3 || pts.some(([, t]) => Number.isNaN(t))) continue;
        const steps = pts.slice(1).map(([n, t], i) => `${pts[i][0]}->${n}: ${((t - pts[i][1]) / (n - pts[i][0])).toFixed(1)} ms`);
        const fit = linearFit(pts);
        out.push(`  ${name.padEnd(14)} ${steps.join(", ")}; fit ${fit.intercept.toFixed(0)} ms + ${fit.slope.toFixed(1)} ms/service (R^2 ${fit.r2.toFixed(3)}); k ${growthExponent(pts).toFixed(2)}`);
    }
    const first = get(`pulumi-${sizes[0]}`);
    const last = get(`pulumi-${sizes[sizes.length - 1]}`);
    const perService = (last.reports[0].resources - first.reports[0].resources) / (sizes[sizes.length - 1] - sizes[0]);
    const slope = linearFit(points(get, "pulumi", sizes, (c) => wall(c).median)).slope;
    out.push(`  pulumi's marginal cost is ${(slope / perService).toFixed(2)} ms of wall time per resource (${perService.toFixed(0)} resources per service)`);
    out.push("");
    return out;
}

/** Before and after: the same stacks, run the way Pulumi's defaults and this project's earlier settings ran them. */
function beforeAfter(get: Get, sizes: readonly number[]): string[] {
    const largest = sizes[sizes.length - 1];
    const now = (id: string) => wall(get(id)).median;
    const row = (what: string, beforeId: string, afterId: string) => {
        const b = get(beforeId);
        const a = get(afterId);
        return [what, `${s(now(beforeId))}, ${s(cpu(b))} cpu, ${mib(peakMiB(b))}`, `${s(now(afterId))}, ${s(cpu(a))} cpu, ${mib(peakMiB(a))}`, `${(now(beforeId) / now(afterId)).toFixed(2)}x`];
    };
    const last = get(`pulumi-${largest}`);
    const noDebugger = get(`pulumi-${largest}-nodebugger`);
    const share = 1 - wall(noDebugger).median / wall(last).median;
    return [
        "before and after (wall median, cpu, peak memory; after = this repository as it is)",
        table(
            ["", "before", "after", "speed-up"],
            [
                row("staging, Pulumi's default runtime (ts-node type-checks)", "staging-default", "staging"),
                row("staging, ts-node transpile-only", "staging-transpile", "staging"),
                row(`${largest} services, ts-node transpile-only`, `pulumi-${largest}-before`, `pulumi-${largest}`),
            ],
        ),
        `  "before": the SDK's per-promise traces formatted (PULUMI_DEBUG_PROMISE_LEAKS=1 keeps runtime/promiseTraces.ts off)`,
        `  diagnostic: ${noDebugger.label}: ${span(wall(noDebugger))}, cpu ${s(cpu(noDebugger))}, peak ${mib(peakMiB(noDebugger))}`,
        `    Pulumi's runner enables the V8 debugger (for function serialization) before the program starts: turning it on takes`,
        `    time and every promise then costs more, ${(share * 100).toFixed(0)}% of the ${largest}-service run. Pulumi's, not this program's; shown, not changed.`,
        "",
    ];
}

/**
 * The loader decision's figures (docs/decisions/0001-loader.md): the same stacks through each
 * TypeScript loader, in this run. ts-node+SWC is the default; sucrase wins only when it is more
 * than 10% faster (its median under 90% of ts-node+SWC's) both for staging and for the largest catalog.
 */
function loaders(get: Get, sizes: readonly number[], named: Loader | undefined): string[] {
    const largest = sizes[sizes.length - 1];
    const caseOf = (base: string, l: Loader) => get(l === named ? base : `${base}:${l}`);
    const rows = [
        ["staging", "staging"],
        [`${largest} services`, `pulumi-${largest}`],
    ].map(([what, base]) => {
        const sucrase = caseOf(base, "sucrase");
        const swc = caseOf(base, "ts-node+SWC");
        const saved = 1 - wall(sucrase).median / wall(swc).median;
        return { what, sucrase, swc, saved };
    });
    const sucraseWins = rows.every((r) => r.saved > 0.1);
    const cell = (c: BenchCase) => `${span(wall(c))}, ${s(cpu(c))} cpu, ${mib(peakMiB(c))}`;
    return [
        `TypeScript loaders (wall median [min - max], cpu, peak memory; Pulumi.yaml names ${named ?? "neither"})`,
        table(
            ["", ...(Object.keys(LOADERS) as Loader[]), "sucrase saves"],
            rows.map((r) => [r.what, cell(r.sucrase), cell(r.swc), `${(r.saved * 100).toFixed(1)}%`]),
        ),
        `  rule: ts-node+SWC unless sucrase saves more than 10% both for staging and for ${largest} services${largest !== TARGETS.services ? ` (the rule is for ${TARGETS.services})` : ""}: ${sucraseWins ? "sucrase" : "ts-node+SWC"}`,
        "",
    ];
}

/** `npm run import` of the largest overlay: its whole run, and kubectl kustomize's share apart from the mapping's. */
function importer(cases: readonly BenchCase[]): string[] {
    const c = cases.find((x) => x.tool === "import");
    if (!c) return [];
    const phases = c.samples.map((x) => /^timings: kubectl kustomize (\d+) ms, mapping (\d+) ms, writing (\d+) ms$/m.exec(x.stdout)).filter((m) => m !== null);
    const median = (i: number) => summarize(phases.map((m) => Number(m[i]))).median;
    const kustomize = cases.find((x) => x.id === `kustomize-${c.services}`);
    return [
        `import (${c.label}; wall median [min - max], cpu, peak memory)`,
        `  whole run ${span(wall(c))}, ${s(cpu(c))} cpu, ${mib(peakMiB(c))}`,
        phases.length > 0
            ? `  inside it (medians): kubectl kustomize ${s(median(1))}, mapping ${s(median(2))}, writing ${s(median(3))}; the rest is node and ts-node starting`
            : "  (the tool printed no timings line)",
        ...(kustomize ? [`  kubectl kustomize alone on the same overlay: ${span(wall(kustomize))}`] : []),
        "",
    ];
}

function targets(cases: readonly BenchCase[], get: Get, sizes: readonly number[], kubectl: boolean): { lines: string[]; missed: string[] } {
    const floor = wall(get("floor")).median;
    const stagingMs = wall(get("staging")).median;
    const largest = sizes[sizes.length - 1];
    const largestMs = wall(get(`pulumi-${largest}`)).median;
    const kustomize = kubectl ? wall(get(`kustomize-${largest}`)).median : undefined;
    const floorCase = get(`sdk-floor-${largest}`);
    const sdkFloorMs = wall(floorCase).median;
    const peak = Math.max(...cases.filter((c) => /^(staging|pulumi-\d+)$/.test(c.id)).map(peakMiB));
    // CPU time shows how the work grows even when other processes share the machine.
    const cpuPoints = points(get, "pulumi", sizes, cpu);
    const growthPoints = cpuPoints.some(([, t]) => Number.isNaN(t)) ? points(get, "pulumi", sizes, (c) => wall(c).median) : cpuPoints;
    const marginal = (i: number) => (growthPoints[i][1] - growthPoints[i - 1][1]) / (growthPoints[i][0] - growthPoints[i - 1][0]);
    const stepRatio = marginal(growthPoints.length - 1) / marginal(growthPoints.length - 2);
    const missed: string[] = [];
    const check = (ok: boolean, target: string) => {
        if (!ok) missed.push(target);
        return ok ? "MET    " : "NOT MET";
    };
    const lines = [
        "targets",
        `  ${check(stagingMs < TARGETS.stagingMs, "staging")} staging under ${TARGETS.stagingMs / 1000} s: ${s(stagingMs)} (${(stagingMs / TARGETS.stagingMs).toFixed(2)} of the target; ${(stagingMs / floor).toFixed(2)}x the floor of ${s(floor)})`,
        ...(largest !== TARGETS.services ? [`  (the 2.5 s and kustomize targets are for ${TARGETS.services} services; this run's largest catalog is ${largest})`] : []),
        `  ${check(largestMs < TARGETS.largestMs, `${largest} services`)} ${largest} services under ${TARGETS.largestMs / 1000} s: ${s(largestMs)} (${(largestMs / TARGETS.largestMs).toFixed(2)} of the target)`,
        `          the SDK alone, for as many resources (${floorCase.reports[0]?.resources ?? "?"}, bare ConfigMaps): ${s(sdkFloorMs)}, ${mib(peakMiB(floorCase))}; this program adds ${s(largestMs - sdkFloorMs)}`,
        kustomize !== undefined
            ? `  ${check(largestMs < kustomize, "faster than kustomize")} ${largest} services faster than kustomize in this run: ${s(largestMs)} vs ${s(kustomize)} (kustomize takes ${(kustomize / largestMs).toFixed(2)}x as long)`
            : "  NOT RUN kustomize comparison: kubectl not found on PATH",
        `  ${check(peak < TARGETS.peakMiB, "peak memory")} peak memory under ${TARGETS.peakMiB} MiB: ${mib(peak)} at most (${(peak / TARGETS.peakMiB).toFixed(2)} of the target; staging ${mib(peakMiB(get("staging")))}, the SDK floor above ${mib(peakMiB(floorCase))})`,
        marginal(growthPoints.length - 2) > 0
            ? `  ${check(stepRatio <= TARGETS.stepRatio, "linear growth")} linear growth: the last step costs ${stepRatio.toFixed(2)}x per service what the step before it did, in ${growthPoints === cpuPoints ? "CPU" : "wall"} time (at most ${TARGETS.stepRatio} allowed for noise)`
            : `  NOT RUN linear growth: the step between the two smaller catalogs cost nothing measurable; use larger sizes`,
    ];
    return { lines, missed };
}

function kustomizeCase(get: Get, n: number): BenchCase | undefined {
    try {
        return get(`kustomize-${n}`);
    } catch {
        return undefined;
    }
}

function points(get: Get, tool: string, sizes: readonly number[], measure: (c: BenchCase) => number): Points {
    return sizes.map((n) => [n, measure(get(`${tool}-${n}`))] as const);
}

function s(ms: number): string {
    return `${(ms / 1000).toFixed(2)} s`;
}

function mib(value: number): string {
    return `${value.toFixed(0)} MiB`;
}

function span(w: Summary): string {
    return `${s(w.median)} [${(w.min / 1000).toFixed(2)} - ${(w.max / 1000).toFixed(2)}]`;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: readonly string[]) => "  " + cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    return [line(header), ...rows.map(line)].join("\n");
}

/** The version of a package the repository resolves, or "?". */
export function packageVersion(name: string): string {
    try {
        const file = require.resolve(`${name}/package.json`, { paths: [path.resolve(__dirname, "..")] });
        return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
        return "?";
    }
}

function versions(kubectl: string | undefined): string {
    const pkg = packageVersion;
    let kustomize = "not installed (kubectl not found on PATH)";
    try {
        if (kubectl !== undefined) kustomize = /Kustomize Version: (\S+)/.exec(execFileSync(kubectl, ["version", "--client"], { encoding: "utf8" }))?.[1] ?? "?";
    } catch {
        kustomize = `unknown (${kubectl} version --client failed)`;
    }
    return `@pulumi/pulumi ${pkg("@pulumi/pulumi")}, @pulumi/kubernetes ${pkg("@pulumi/kubernetes")}, sucrase ${pkg("sucrase")}, ts-node ${pkg("ts-node")}, @swc/core ${pkg("@swc/core")}, typescript ${pkg("typescript")}, kustomize ${kustomize}`;
}
