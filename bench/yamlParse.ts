/**
 * `node -r sucrase/register/ts bench/yamlParse.ts [--runs N] [--services N]`: what reading the
 * benchmark's generated catalog file costs with the `yaml` package, as config/catalogFile.ts
 * reads it, against js-yaml (no longer a dependency of this project; measured when it is
 * installed, e.g. as a dependency of @pulumi/pulumi). Each sample is a fresh node process that has
 * loaded the SDKs, as a `pulumi preview` reads the file once: loading the library, the first
 * (cold) parse, then the median of 20 more (warm). docs/decisions/0002-yaml-library.md records
 * the figures.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { MAX_ALIASES, YAML_OPTIONS } from "../config/catalogFile";
import { CommandSpec, EXIT, parseCommandLine, Parsed, runCommand } from "../tools/cli";
import { benchServices, catalogFile } from "./catalog";
import { summarize } from "./stats";

export const SPEC = {
    name: "yamlParse",
    usage: "node -r sucrase/register/ts bench/yamlParse.ts [--runs <n>] [--services <n>]",
    summary: "Times loading the YAML library and parsing a generated catalog file, yaml against js-yaml, in fresh processes.",
    options: {
        runs: { type: "string", value: "<n>", help: "processes per library, round-robin (default 11)" },
        services: { type: "string", value: "<n>", help: "services in the generated catalog (default 200, the benchmark's largest)" },
    },
    exits: [[EXIT.failed, "a measuring process failed"]],
} as const satisfies CommandSpec;

export interface Options {
    readonly runs: number;
    readonly services: number;
}

export function parseArgs(argv: readonly string[]): Parsed<Options> {
    return parseCommandLine(SPEC, argv, (v) => {
        const runs = Number(v.runs ?? "11");
        const services = Number(v.services ?? "200");
        if (!Number.isInteger(runs) || runs < 1) return `--runs needs a whole number of 1 or more, got ${JSON.stringify(v.runs)}`;
        if (!Number.isInteger(services) || services < 1) return `--services needs a whole number of 1 or more, got ${JSON.stringify(v.services)}`;
        return { runs, services };
    });
}

interface Sample {
    readonly requireMs: number;
    readonly firstMs: number;
    readonly warmMs: number;
}

/** A child's program: `load` requires the library, `parse(lib, text)` parses as the case does. */
const child = (load: string, parse: string) => `
// As in the program: the SDKs are loaded first (@pulumi/pulumi and @pulumi/kubernetes load js-yaml).
require("@pulumi/pulumi");
require("@pulumi/kubernetes");
const text = require("fs").readFileSync(process.argv[1], "utf8");
const t0 = performance.now();
const lib = ${load};
const t1 = performance.now();
const parse = ${parse};
parse(lib, text);
const t2 = performance.now();
const warm = [];
for (let i = 0; i < 20; i++) { const a = performance.now(); parse(lib, text); warm.push(performance.now() - a); }
warm.sort((a, b) => a - b);
process.stdout.write(JSON.stringify({ requireMs: t1 - t0, firstMs: t2 - t1, warmMs: warm[10] }));
`;

const CASES = [
    {
        label: `yaml, as config/catalogFile.ts reads it (${JSON.stringify(YAML_OPTIONS)}, maxAliasCount ${MAX_ALIASES})`,
        module: "yaml",
        code: child(
            'require("yaml")',
            `(Y, t) => { const d = Y.parseDocument(t, ${JSON.stringify(YAML_OPTIONS)}); if (d.errors.length + d.warnings.length > 0) throw new Error("invalid"); return d.toJS({ maxAliasCount: ${MAX_ALIASES} }); }`,
        ),
    },
    { label: "js-yaml, CORE_SCHEMA (as before)", module: "js-yaml", code: child('require("js-yaml")', "(Y, t) => Y.load(t, { schema: Y.CORE_SCHEMA })") },
];

function measure(opts: Options): number {
    const repo = path.resolve(__dirname, "..");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-yaml-"));
    try {
        const file = path.join(dir, "catalog.yaml");
        fs.writeFileSync(file, YAML.stringify(catalogFile(benchServices(opts.services))));
        const cases = CASES.filter((c) => {
            try {
                require.resolve(c.module, { paths: [repo] });
                return true;
            } catch {
                process.stdout.write(`${c.module} is not installed here: not measured\n`);
                return false;
            }
        });
        const samples = new Map<string, Sample[]>(cases.map((c) => [c.label, []]));
        for (let run = 0; run < opts.runs; run++) {
            for (const c of cases) {
                const r = spawnSync(process.execPath, ["-e", c.code, file], { cwd: repo, encoding: "utf8" });
                if (r.status !== 0) throw new Error(`${c.label}: exit ${r.status}: ${r.stderr}`);
                samples.get(c.label)!.push(JSON.parse(r.stdout) as Sample);
            }
        }
        const ms = (xs: number[]) => `${summarize(xs).median.toFixed(1)} ms`;
        process.stdout.write(
            `${opts.services} services, ${(fs.statSync(file).size / 1024).toFixed(0)} KiB; median of ${opts.runs} processes; node ${process.version}, ` +
                `load average ${os.loadavg()[0].toFixed(2)}\n`,
        );
        for (const c of cases) {
            const s = samples.get(c.label)!;
            process.stdout.write(
                `  ${c.label}\n    require ${ms(s.map((x) => x.requireMs))}, first parse ${ms(s.map((x) => x.firstMs))}, warm parse ${ms(s.map((x) => x.warmMs))}\n`,
            );
        }
        return EXIT.done;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

if (require.main === module) {
    runCommand(SPEC, parseArgs(process.argv.slice(2)), (opts) => Promise.resolve(measure(opts)));
}
