/**
 * What every command-line tool of this repository shares (docs/exit-codes.md): the exit codes,
 * `--help`, and usage errors, on top of `node:util` parseArgs. A tool describes its command
 * once (`CommandSpec`); its exported parse function is pure, so tests call it in-process.
 */
import { constants as osConstants } from "os";
import { isatty } from "tty";
import { parseArgs } from "node:util";

/** How a tool's process ends; docs/exit-codes.md says what each means for the user. */
export const EXIT = {
    /** It did what was asked (including "nothing to do"). */
    done: 0,
    /** It refused: a configuration or input problem; it changed nothing. */
    refused: 1,
    /** The command line is wrong; it did nothing. */
    usage: 2,
    /** It failed while acting: a CLI or child process it runs failed, or an unexpected error. */
    failed: 3,
    /** It ran, and found something that blocks (policy, diff or compare). */
    findings: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const MEANING: Record<ExitCode, string> = {
    0: "done",
    1: "refused",
    2: "usage error",
    3: "failed while acting",
    4: "findings",
};

/** The code of a tool stopped by a signal, as a shell reports it: 130 for SIGINT, 143 for SIGTERM. */
export function signalExit(signal: NodeJS.Signals): number {
    return 128 + (osConstants.signals[signal] ?? 0);
}

/** The codes of a tool stopped by SIGHUP, SIGINT or SIGTERM, for `CommandSpec.exits`; `after` says what it leaves (`; nothing written`). */
export function signalExits(after = ""): (readonly [number, string])[] {
    return [
        [signalExit("SIGHUP"), `the terminal closed (SIGHUP)${after}`],
        [signalExit("SIGINT"), `interrupted by SIGINT (Ctrl-C)${after}`],
        [signalExit("SIGTERM"), `interrupted by SIGTERM (a cancelled CI job)${after}`],
    ];
}

/** A problem with the tool's configuration or input; it exits 1 with the message. */
export class Refusal extends Error {}

export interface OptionSpec {
    readonly type: "string" | "boolean";
    readonly short?: string;
    /** What a string option takes, shown in the help: `--to <version>`. */
    readonly value?: string;
    /** One line for the help. */
    readonly help: string;
}

export interface CommandSpec {
    /** Prefixes the tool's messages: `rollback: ...`. */
    readonly name: string;
    /** How a user starts it, then what follows: `npm run rollback -- --stack <stack> ...`. */
    readonly usage: string;
    /** What the tool does, for the help. */
    readonly summary: string;
    readonly positionals?: readonly { readonly name: string; readonly help: string }[];
    /** Every option but `--help`, which every tool has. */
    readonly options: Readonly<Record<string, OptionSpec>>;
    /** The codes the tool exits with besides 0 and 2, with what each means for this tool. */
    readonly exits: readonly (readonly [code: number, detail: string])[];
}

/** What parseArgs found for the options of a spec. */
export type Values<S extends CommandSpec> = {
    readonly [K in keyof S["options"]]?: S["options"][K]["type"] extends "string" ? string : boolean;
};

export type Parsed<T> =
    | { readonly kind: "run"; readonly options: T }
    | { readonly kind: "help"; readonly text: string }
    | { readonly kind: "usage"; readonly problem: string; readonly text: string };

/**
 * Parses `argv` for a spec, then `interpret` turns the values into the tool's options, or returns
 * a usage problem as a string. Unknown options, missing or unwanted values, positionals a tool
 * does not take and an option given twice are usage problems. `--help`/`-h` wins over any problem.
 */
export function parseCommandLine<S extends CommandSpec, T>(
    spec: S,
    argv: readonly string[],
    interpret: (values: Values<S>, positionals: readonly string[]) => T | string,
): Parsed<T> {
    // Lenient, so that the problems are found below, each said the same way on every node version.
    const parsed = parseArgs({ args: [...argv], options: { ...nodeOptions(spec), help: { type: "boolean", short: "h" } }, strict: false, allowPositionals: true, tokens: true });
    if (parsed.values.help === true) {
        return { kind: "help", text: helpText(spec) };
    }
    const usage = (problem: string): Parsed<T> => ({ kind: "usage", problem, text: usageText(spec) });
    const seen = new Set<string>();
    for (const token of parsed.tokens) {
        if (token.kind === "positional" && (spec.positionals ?? []).length === 0) {
            return usage(`unexpected argument ${JSON.stringify(token.value)}; this command takes options only`);
        }
        if (token.kind !== "option") continue;
        const option: Pick<OptionSpec, "type" | "value"> | undefined = token.name === "help" ? { type: "boolean" } : Object.hasOwn(spec.options, token.name) ? spec.options[token.name] : undefined;
        const flag = `--${token.name}`;
        if (option === undefined) return usage(`unknown option ${token.rawName}`);
        if (option.type === "boolean" && token.value !== undefined) return usage(`${flag} takes no value`);
        // A string option followed by another option has no value (write --x=-1 for a value with a dash).
        if (option.type === "string" && (token.value === undefined || (!token.inlineValue && token.value.startsWith("-")))) {
            return usage(`${flag} needs a value${option.value ? ` ${option.value}` : ""}`);
        }
        if (seen.has(token.name)) return usage(`${flag} given more than once`);
        seen.add(token.name);
    }
    const result = interpret(parsed.values as Values<S>, parsed.positionals);
    return typeof result === "string" ? usage(result) : { kind: "run", options: result };
}

function nodeOptions(spec: CommandSpec): Record<string, { type: "string" | "boolean"; short?: string }> {
    return Object.fromEntries(Object.entries(spec.options).map(([name, o]) => [name, { type: o.type, ...(o.short ? { short: o.short } : {}) }]));
}

/** The usage line, and where the rest is: what a usage error prints after the problem. */
export function usageText(spec: CommandSpec): string {
    return `usage: ${spec.usage}\n(--help lists every option)\n`;
}

/** `--help`: usage, summary, arguments, every option, and the exit codes. */
export function helpText(spec: CommandSpec): string {
    const flag = (name: string, o: Pick<OptionSpec, "short" | "value">) => `${o.short ? `-${o.short}, ` : ""}--${name}${o.value ? ` ${o.value}` : ""}`;
    const rows: [string, string][] = [
        ...Object.entries(spec.options).map(([name, o]): [string, string] => [flag(name, o), o.help]),
        [flag("help", { short: "h" }), "print this help and exit"],
    ];
    const positionals = (spec.positionals ?? []).map((p): [string, string] => [p.name, p.help]);
    const width = Math.max(...[...rows, ...positionals].map(([left]) => left.length));
    const list = (items: readonly [string, string][]) => items.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
    const meaning = (code: number, detail?: string) => [MEANING[code as ExitCode], detail].filter(Boolean).join(": ");
    const listed: (readonly [number, string?])[] = [[EXIT.done], [EXIT.usage], ...spec.exits];
    const exits = listed.map(([code, detail]) => [code, meaning(code, detail)] as const).sort((a, b) => a[0] - b[0]);
    return [
        `usage: ${spec.usage}`,
        "",
        spec.summary,
        "",
        ...(positionals.length > 0 ? ["arguments:", ...list(positionals), ""] : []),
        "options:",
        ...list(rows),
        "",
        "exit codes (docs/exit-codes.md):",
        ...exits.map(([code, what]) => `  ${String(code).padStart(3)}  ${what}`),
        "",
    ].join("\n");
}

/** Where a tool writes; the process's streams unless a test passes its own. */
export interface Streams {
    readonly out: (text: string) => void;
    readonly err: (text: string) => void;
}

const PROCESS: Streams = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/**
 * `--help` prints to `out` and is done (0); a usage error prints the problem and the usage line
 * to `err` (2); otherwise `act` runs and returns the code. An error `act` throws is printed as
 * one line: a `Refusal` is 1, anything else 3.
 */
export async function execute<T>(spec: CommandSpec, parsed: Parsed<T>, act: (options: T) => Promise<number>, streams: Streams = PROCESS): Promise<number> {
    if (parsed.kind === "help") {
        streams.out(parsed.text);
        return EXIT.done;
    }
    if (parsed.kind === "usage") {
        streams.err(`${spec.name}: ${parsed.problem}\n${parsed.text}`);
        return EXIT.usage;
    }
    try {
        return await act(parsed.options);
    } catch (e) {
        streams.err(`${spec.name}: ${(e as Error).message}\n`);
        return e instanceof Refusal ? EXIT.refused : EXIT.failed;
    }
}

/** Runs a tool as the process: `execute`, then exit with its code. */
export function runCommand<T>(spec: CommandSpec, parsed: Parsed<T>, act: (options: T) => Promise<number>): void {
    void execute(spec, parsed, act).then(exitWith);
}

/** Whether a standard stream was a terminal when the process started (a hung-up one no longer says so). */
const STARTED_ON_A_TERMINAL = [0, 1, 2].some((fd) => isatty(fd));

/**
 * Ends the process with `code`. A tool stopped by SIGHUP (129) with a terminal for a standard
 * stream ends by the signal itself, which the shell reports as the same 129: the terminal has
 * hung up, and Node 20's exit aborts when it cannot restore a hung-up terminal's modes
 * (nodejs/node#51519, fixed by nodejs/node#58200 in later releases).
 */
export function exitWith(code: number): void {
    if (code === signalExit("SIGHUP") && STARTED_ON_A_TERMINAL) {
        process.removeAllListeners("SIGHUP");
        process.kill(process.pid, "SIGHUP");
    }
    process.exit(code);
}

/**
 * A reader that goes away (`npm run promote -- ... | head -n1`) ends the tool's output, not the
 * tool: a write to the closed pipe fails with EPIPE, which would otherwise crash the process with
 * a stack trace wherever it happens. Later output is dropped; the tool finishes and exits with its
 * own code.
 */
export function tolerateClosedPipes(streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
    for (const stream of streams) {
        stream.on("error", (e: NodeJS.ErrnoException) => {
            if (e.code !== "EPIPE" && e.code !== "ERR_STREAM_DESTROYED") throw e;
        });
    }
}
