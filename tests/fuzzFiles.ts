/**
 * Hostile project files, generated (fast-check, fixed seed): each case starts from a copy of
 * this project, its catalog in `catalog.yaml`, and attacks one of its files (the catalogFile,
 * Pulumi.yaml, a stack file) in one way: a symbolic link out of the project (to a credentials
 * file, /etc/passwd, a device, a folder; absolute, relative, through a chain of links or a
 * linked folder), a special file (a FIFO, a socket, a folder), a file over the size limit, an
 * alias bomb (nested, or one long value aliased many times), too many aliases or anchors, a
 * cycle, an alias to no anchor, a key given twice, nesting past the limit, a second document.
 * Every case must be refused with the one problem expected, naming the file and the key path,
 * quickly, printing neither a stack trace nor the secret kept outside the project; nothing is
 * declared. Links that stay inside the project are generated too, and must be read.
 *
 * A reader that blocked on a special file would stop the process that runs it: this file runs
 * as a child process of tests/fuzzFiles.test.ts, which kills it after its timeout. Run alone:
 * `node -r ts-node/register tests/fuzzFiles.ts`; FUZZ_FILE_RUNS and FUZZ_SEED change the count
 * (300) and the seed.
 */
import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import fc from "fast-check";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { showKeyPath } from "../config/boundedYaml";
import { evaluate } from "../tools/harness/evaluate";
import { readStackFiles, StackFileError } from "../tools/harness/stackFiles";
import { OUTSIDE_SECRET } from "./hostileProject";
import { refused } from "./refused";
import { REPO } from "./support";

const RUNS = Number(process.env.FUZZ_FILE_RUNS ?? 300);
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
/** Longer than any refusal takes (they take milliseconds; a file at the size limit is not parsed). */
const CASE_MS = 3_000;

type Target = "catalog.yaml" | "Pulumi.yaml" | "Pulumi.staging.yaml" | "Pulumi.production.yaml";
type Segment = string | number;

/** What a case must end in: the files read and the program run, or exactly this one problem. */
type Expected = { readonly read: true } | { readonly problem: string | RegExp };

interface Attack {
    readonly family: string;
    readonly label: string;
    readonly target: Target;
    /** Changes the project; may return a server to close (a socket file). */
    apply(p: Project): Promise<net.Server | void> | net.Server | void;
    readonly expected: Expected;
}

interface Project {
    readonly dir: string;
    readonly outside: string;
}

// --- the project, as documents the attacks edit ---------------------------------------------

/** YAML kept as written: anchors, aliases, keys given twice. */
class Raw {
    constructor(readonly text: string) {}
}
/** A mapping whose keys are raw YAML text, so a key may come twice. */
class Pairs {
    constructor(readonly pairs: readonly (readonly [string, unknown])[]) {}
}

/** One line of flow YAML (JSON is valid YAML), with Raw and Pairs written as they are. */
function emit(v: unknown): string {
    if (v instanceof Raw) return v.text;
    if (v instanceof Pairs) return `{${v.pairs.map(([k, x]) => `${k}: ${emit(x)}`).join(", ")}}`;
    if (Array.isArray(v)) return `[${v.map(emit).join(", ")}]`;
    if (v !== null && typeof v === "object") return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${emit(x)}`).join(", ")}}`;
    return JSON.stringify(v);
}

const readYaml = (file: string) => YAML.parse(fs.readFileSync(file, "utf8")) as Record<string, any>;
const PROJECT = (() => {
    const project = readYaml(path.join(REPO, "Pulumi.yaml"));
    const catalog = project.config.catalog.value as Record<string, unknown>;
    delete project.config.catalog;
    project.config.catalogFile = { value: "catalog.yaml" };
    return { "Pulumi.yaml": project, "catalog.yaml": catalog, "Pulumi.staging.yaml": readYaml(path.join(REPO, "Pulumi.staging.yaml")), "Pulumi.production.yaml": readYaml(path.join(REPO, "Pulumi.production.yaml")) };
})();

let scratch = "";
let count = 0;
function freshProject(): Project {
    const base = path.join(scratch, `case-${count++}`);
    const dir = path.join(base, "project");
    const outside = path.join(base, "outside");
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(outside);
    for (const [file, doc] of Object.entries(PROJECT)) fs.writeFileSync(path.join(dir, file), emit(doc) + "\n");
    fs.writeFileSync(path.join(outside, "catalog.yaml"), emit(PROJECT["catalog.yaml"]) + "\n");
    fs.writeFileSync(path.join(outside, "credentials.json"), JSON.stringify({ accessToken: OUTSIDE_SECRET }) + "\n");
    return { dir, outside };
}

/** Every path to a mapping in a document (not into the values of `secure:` keys), the root first. */
function mappingPaths(v: unknown, at: readonly string[] = []): string[][] {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return [];
    return [[...at], ...Object.entries(v).flatMap(([k, x]) => mappingPaths(x, [...at, k]))];
}
const PATHS = Object.fromEntries(Object.entries(PROJECT).map(([f, doc]) => [f, mappingPaths(doc)])) as Record<Target, string[][]>;

function getAt(doc: unknown, at: readonly string[]): Record<string, unknown> {
    return at.reduce((o: any, k) => o[k], doc) as Record<string, unknown>;
}

/** A copy of a document with `value` under `key` at the mapping `at`, or that mapping replaced. */
function edited(target: Target, at: readonly string[], change: (mapping: Record<string, unknown>) => unknown): unknown {
    const doc = structuredClone(PROJECT[target]);
    if (at.length === 0) return change(doc);
    const parent = getAt(doc, at.slice(0, -1));
    parent[at[at.length - 1]] = change(getAt(doc, at));
    return doc;
}

const write = (p: Project, target: Target, doc: unknown) => fs.writeFileSync(path.join(p.dir, target), emit(doc) + "\n");

/** How a problem names a place in a file: `catalog.yaml.services.x` inside the catalog, `Pulumi.yaml: config.x` in the others. */
function where(target: Target, at: readonly Segment[]): string {
    if (target === "catalog.yaml") return at.length === 0 ? target : `${target}${typeof at[0] === "number" ? "" : "."}${showKeyPath(at)}`;
    return at.length === 0 ? target : `${target}: ${showKeyPath(at)}`;
}
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

// --- attacks ----------------------------------------------------------------------------------

const targets = fc.constantFrom<Target>("catalog.yaml", "Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.production.yaml");

/** The problem a file that cannot be read is refused with. */
function unreadable(target: Target, reason: string): string {
    return target === "catalog.yaml"
        ? `hft-platform:catalogFile: cannot read "catalog.yaml" in the project directory (${reason})`
        : `cannot read ${target} in the project directory (${reason})`;
}
const OUT = "it leads outside the project directory through a symbolic link";

const linkOut: fc.Arbitrary<Attack> = fc
    .tuple(targets, fc.constantFrom("outside/catalog.yaml", "outside/credentials.json", "/etc/passwd", "/dev/zero", "/dev/null", "/dev/urandom", "/", "outside"), fc.constantFrom("absolute", "relative", "chain", "linked folder"))
    .map(([target, to, how]) => ({
        family: "link out of the project",
        label: `${target} -> ${to} (${how})`,
        target,
        expected: { problem: unreadable(target, OUT) },
        apply: (p: Project) => {
            const dest = to.startsWith("/") ? to : path.join(path.dirname(p.outside), to);
            const file = path.join(p.dir, target);
            fs.rmSync(file);
            if (how === "absolute") fs.symlinkSync(dest, file);
            else if (how === "relative") fs.symlinkSync(path.relative(p.dir, dest), file);
            else if (how === "chain") {
                fs.symlinkSync(dest, path.join(p.dir, "hop-2"));
                fs.symlinkSync("hop-2", path.join(p.dir, "hop-1"));
                fs.symlinkSync("hop-1", file);
            } else {
                fs.symlinkSync(path.dirname(dest), path.join(p.dir, "linked"));
                fs.symlinkSync(path.join("linked", path.basename(dest)), file);
            }
        },
    }));

/** Links that stay inside the project: the file is read, and the stack renders as before. */
const linkIn: fc.Arbitrary<Attack> = fc.tuple(targets, fc.constantFrom("absolute", "relative", "chain", "linked folder")).map(([target, how]) => ({
    family: "link inside the project",
    label: `${target} -> kept/${target} (${how})`,
    target,
    expected: { read: true },
    apply: (p: Project) => {
        const kept = path.join(p.dir, "kept");
        fs.mkdirSync(kept);
        const file = path.join(p.dir, target);
        fs.renameSync(file, path.join(kept, target));
        if (how === "absolute") fs.symlinkSync(path.join(kept, target), file);
        else if (how === "relative") fs.symlinkSync(path.join("kept", target), file);
        else if (how === "chain") {
            fs.symlinkSync(path.join("kept", target), path.join(p.dir, "hop"));
            fs.symlinkSync("hop", file);
        } else {
            fs.symlinkSync("kept", path.join(p.dir, "linked"));
            fs.symlinkSync(path.join("linked", target), file);
        }
    },
}));

const special: fc.Arbitrary<Attack> = fc.tuple(targets, fc.constantFrom("FIFO", "socket", "folder")).map(([target, kind]) => ({
    family: "special file",
    label: `${target} is a ${kind}`,
    target,
    expected: { problem: unreadable(target, kind === "folder" ? "a directory" : `a ${kind}, not a regular file`) },
    apply: (p: Project) => {
        const file = path.join(p.dir, target);
        fs.rmSync(file);
        if (kind === "folder") return void fs.mkdirSync(file);
        if (kind === "FIFO") return void assert.equal(spawnSync("mkfifo", [file]).status, 0);
        return new Promise<net.Server>((resolve) => {
            const server = net.createServer().listen(file, () => resolve(server));
        });
    },
}));

const LIMIT = 2 * 1024 * 1024;
const huge: fc.Arbitrary<Attack> = fc.tuple(targets, fc.integer({ min: 1, max: 3 * 1024 * 1024 }), fc.constantFrom("comment", "value")).map(([target, over, how]) => ({
    family: "over the size limit",
    label: `${target} ${over} bytes over 2 MiB (a long ${how})`,
    target,
    expected: { problem: unreadable(target, "larger than 2 MiB, the limit for a file the program reads; docs/limits.md") },
    apply: (p: Project) => {
        const file = path.join(p.dir, target);
        const size = fs.statSync(file).size;
        const pad = LIMIT + over - size;
        fs.appendFileSync(file, how === "comment" ? `#${"x".repeat(pad - 2)}\n` : `${"z".repeat(pad)}`);
    },
}));

/** A place to add a key: a mapping of a file, and a fresh key name. */
const place = fc.tuple(targets, fc.nat(), fc.constantFrom("bomb", "zz", "x-1", "Ünïcødé", "a b", "line\nbreak", "tab\there")).map(([target, i, key]) => {
    const paths = PATHS[target];
    return { target, at: paths[i % paths.length], key };
});

const bomb = fc
    .record({ levels: fc.integer({ min: 6, max: 40 }), fanOut: fc.integer({ min: 2, max: 16 }), leaf: fc.integer({ min: 1, max: 2000 }) })
    .filter(({ levels, fanOut, leaf }) => levels * Math.log2(fanOut) + Math.log2(leaf + 3) > 26)
    .chain(({ levels, fanOut, leaf }) =>
        place.map(({ target, at, key }) => {
            const lines = [`l0: &b0 [${Array(fanOut).fill(JSON.stringify("x".repeat(leaf))).join(", ")}]`];
            for (let i = 1; i < levels; i++) lines.push(`l${i}: &b${i} [${Array(fanOut).fill(`*b${i - 1}`).join(", ")}]`);
            const prefix = where(target, [...at, key]);
            return {
                family: "alias bomb",
                label: `${target} ${showKeyPath([...at, key]) || "(top)"}: ${levels} levels of ${fanOut} aliases, leaves of ${leaf}`,
                target,
                expected: { problem: new RegExp(`^${escape(prefix)}\\.l\\d+\\[\\d+\\]: with the alias \\*b\\d+ expanded, the document is larger than 16 MiB as JSON \\(the limit against alias bombs\\); docs/limits\\.md$`) },
                apply: (p: Project) => write(p, target, edited(target, at, (m) => ({ ...m, [key]: new Raw(`{${lines.join(", ")}}`) }))),
            } satisfies Attack;
        }),
    );

const wideBomb = fc.tuple(fc.integer({ min: 20_000, max: 200_000 }), place).map(([length, { target, at, key }]) => {
    const copies = Math.min(1000, Math.ceil((17 * 1024 * 1024) / length));
    const prefix = where(target, [...at, key]);
    return {
        family: "alias bomb",
        label: `${target} ${showKeyPath([...at, key]) || "(top)"}: one ${length}-character value aliased ${copies} times`,
        target,
        expected: { problem: new RegExp(`^${escape(prefix)}\\.copies\\[\\d+\\]: with the alias \\*long expanded, the document is larger than 16 MiB as JSON`) },
        apply: (p: Project) => write(p, target, edited(target, at, (m) => ({ ...m, [key]: new Raw(`{long: &long "${"w".repeat(length)}", copies: [${Array(copies).fill("*long").join(", ")}]}`) }))),
    } satisfies Attack;
});

const many = fc.tuple(fc.constantFrom("aliases", "anchors"), fc.integer({ min: 1001, max: 1500 }), place).map(([what, n, { target, at, key }]) => ({
    family: `too many ${what}`,
    label: `${target} ${showKeyPath([...at, key]) || "(top)"}: ${n} ${what}`,
    target,
    expected: {
        problem:
            what === "aliases"
                ? `${where(target, [...at, key, "many", 1000])}: more than 1000 aliases (*name) in one document; docs/limits.md`
                : `${where(target, [...at, key, 1000])}: more than 1000 anchors (&name) in one document; docs/limits.md`,
    },
    apply: (p: Project) =>
        write(
            p,
            target,
            edited(target, at, (m) => ({
                ...m,
                [key]: new Raw(what === "aliases" ? `{one: &one 1, many: [${Array(n).fill("*one").join(", ")}]}` : `[${Array.from({ length: n }, (_, i) => `&a${i} ${i}`).join(", ")}]`),
            })),
        ),
}));

const cycle = fc.tuple(fc.constantFrom<[string, Segment[]]>(["&c [*c]", [0]], ["&c {again: *c}", ["again"]], ["&c {a: [1, {b: *c}]}", ["a", 1, "b"]], ["&c [[[*c]]]", [0, 0, 0]]), place).map(([[node, inside], { target, at, key }]) => ({
    family: "cycle",
    label: `${target} ${showKeyPath([...at, key]) || "(top)"}: ${node}`,
    target,
    expected: { problem: `${where(target, [...at, key, ...inside])}: the alias *c is inside the value it names (&c), which would never end` },
    apply: (p: Project) => write(p, target, edited(target, at, (m) => ({ ...m, [key]: new Raw(node) }))),
}));

const unresolved = place.map(({ target, at, key }) => ({
    family: "alias to no anchor",
    label: `${target} ${showKeyPath([...at, key]) || "(top)"}: *nowhere`,
    target,
    expected: { problem: `${where(target, [...at, key])}: the alias *nowhere names no anchor (&nowhere) before it` },
    apply: (p: Project) => write(p, target, edited(target, at, (m) => ({ ...m, [key]: new Raw("*nowhere") }))),
}));

const deep = fc.tuple(fc.integer({ min: 101, max: 400 }), place).map(([depth, { target, at, key }]) => {
    const inside: Segment[] = Array(100 - at.length).fill(0);
    return {
        family: "nested too deep",
        label: `${target} ${showKeyPath([...at, key]) || "(top)"}: ${depth} lists deep`,
        target,
        expected: { problem: `${where(target, [...at, key, ...inside])}: nested more than 100 levels deep; docs/limits.md` },
        apply: (p: Project) => write(p, target, edited(target, at, (m) => ({ ...m, [key]: new Raw(`${"[".repeat(depth)}${"]".repeat(depth)}`) }))),
    } satisfies Attack;
});

/** A key given twice in a mapping of the file, as written or as `1` and `'1'`. */
const duplicate = fc.tuple(targets, fc.nat(), fc.nat(), fc.boolean()).map(([target, i, j, numeric]) => {
    const paths = PATHS[target].filter((at) => Object.keys(getAt(PROJECT[target], at)).length > 0);
    const at = paths[i % paths.length];
    const keys = Object.keys(getAt(PROJECT[target], at));
    const key = numeric ? "1" : keys[j % keys.length];
    return {
        family: "key given twice",
        label: `${target} ${showKeyPath([...at, key]) || "(top)"}${numeric ? " (as 1 and '1')" : ""}`,
        target,
        expected: { problem: new RegExp(`^${escape(where(target, [...at, key]))}: given twice \\(line 1, column \\d+\\); a mapping holds each key once$`) },
        apply: (p: Project) =>
            write(
                p,
                target,
                edited(target, at, (m) => {
                    const pairs: [string, unknown][] = Object.entries(m).map(([k, v]) => [JSON.stringify(k), v]);
                    if (numeric) pairs.push(["1", "one"], ['"1"', "again"]);
                    else pairs.push([JSON.stringify(key), m[key]]);
                    return new Pairs(pairs);
                }),
            ),
    } satisfies Attack;
});

const twoDocuments = targets.map((target) => ({
    family: "a second document",
    label: `${target} twice, with ---`,
    target,
    expected: { problem: `${where(target, [])}: not valid YAML: more than one document (the second starts at line 2); one is expected` },
    apply: (p: Project) => fs.writeFileSync(path.join(p.dir, target), `${emit(PROJECT[target])}\n---\n${emit(PROJECT[target])}\n`),
}));

const attacks: fc.Arbitrary<Attack> = fc
    .oneof(
    { arbitrary: linkOut, weight: 4 },
    { arbitrary: linkIn, weight: 1 },
    { arbitrary: special, weight: 3 },
    { arbitrary: huge, weight: 1 },
    { arbitrary: bomb, weight: 3 },
    { arbitrary: wideBomb, weight: 1 },
    { arbitrary: many, weight: 1 },
    { arbitrary: cycle, weight: 2 },
    { arbitrary: unresolved, weight: 1 },
    { arbitrary: deep, weight: 1 },
    { arbitrary: duplicate, weight: 2 },
        { arbitrary: twoDocuments, weight: 1 },
    )
    // A counterexample prints as its label.
    .map((a) => Object.assign(a, { [fc.toStringMethod]: () => `${a.family}: ${a.label}` }));

// --- checks -----------------------------------------------------------------------------------

/** The stack a case reads: the attacked stack file's, else staging. */
const stackOf = (target: Target) => (target === "Pulumi.production.yaml" ? "production" : "staging");

/**
 * What a case ended in: the file read and the stack declared (its resource count), or the one
 * refusal expected: a StackFileError's message, or the problems of the program's ConfigError
 * (checked by `refused`: no stack trace, nothing declared).
 */
async function outcome(p: Project, attack: Attack): Promise<{ problems: readonly string[] } | { read: number }> {
    let config;
    try {
        config = readStackFiles(p.dir, stackOf(attack.target), { fillSecrets: true });
    } catch (e) {
        assert.ok(e instanceof StackFileError, `expected a StackFileError, got ${String((e as Error).stack)}`);
        return { problems: [e.message] };
    }
    if ("problem" in attack.expected) return { problems: await refused(config, { where: attack.label }) };
    const ev = await evaluate(config, { ciEnv: {} });
    assert.equal(ev.error, undefined, `${attack.label}: ${ev.error?.message ?? ""}`);
    return { read: ev.resources.length };
}

async function main(): Promise<void> {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-fuzz-files-"));
    const families = new Map<string, number>();
    let runs = 0;
    try {
        // One evaluation at a time: the mocks are the process's.
        const baseline: Record<string, number> = {};
        for (const s of ["staging", "production"]) baseline[s] = (await evaluate(readStackFiles(freshProject().dir, s, { fillSecrets: true }), { ciEnv: {} })).resources.length;
        assert.ok(baseline.staging > 40 && baseline.production > 40, "the flow-style copy of the project renders");
        await fc.assert(
            fc.asyncProperty(attacks, async (attack) => {
                runs++;
                families.set(attack.family, (families.get(attack.family) ?? 0) + 1);
                const name = `${attack.family}: ${attack.label}`;
                const p = freshProject();
                const server = await attack.apply(p);
                try {
                    const start = Date.now();
                    const result = await outcome(p, attack);
                    assert.ok(Date.now() - start < CASE_MS, `${name}: took ${Date.now() - start} ms`);
                    if ("read" in attack.expected) {
                        assert.ok("read" in result, `${name}: refused: ${"problems" in result ? result.problems.join("\n") : ""}`);
                        assert.equal(result.read, baseline[stackOf(attack.target)], `${name}: declares what the project declares`);
                        return;
                    }
                    assert.ok("problems" in result, `${name}: read, but must be refused`);
                    const expected = attack.expected.problem;
                    assert.equal(result.problems.length, 1, `${name}: one problem, got ${result.problems.join("\n").slice(0, 2000)}`);
                    const [problem] = result.problems;
                    if (typeof expected === "string") assert.equal(problem, expected, name);
                    else assert.match(problem, expected, name);
                    assert.ok(!problem.includes("\n"), `${name}: one line`);
                    assert.ok(!problem.includes(OUTSIDE_SECRET) && !problem.includes("root:x:0:0"), `${name}: prints a file outside the project`);
                    assert.ok(problem.length < 600, `${name}: ${problem.length} characters`);
                } finally {
                    server?.close();
                    fs.rmSync(path.dirname(p.dir), { recursive: true, force: true });
                }
            }),
            { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );
    } finally {
        fs.rmSync(scratch, { recursive: true, force: true });
    }
    const summary = [...families].sort(([a], [b]) => (a < b ? -1 : 1)).map(([f, n]) => `${f} ${n}`).join(", ");
    process.stdout.write(`fuzz: ${runs} hostile project files, each refused with the one problem expected or read as the project (seed ${SEED}; attacks: ${summary})\n`);
    assert.equal(runs, RUNS);
}

if (require.main === module) {
    main().then(
        () => process.exit(0),
        (e: unknown) => {
            // fast-check keeps the failed assertion as the cause.
            const cause = (e as { cause?: unknown }).cause;
            process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${cause instanceof Error ? cause.message : ""}\n`);
            process.exit(1);
        },
    );
}
