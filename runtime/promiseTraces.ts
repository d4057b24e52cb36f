/**
 * Pulumi's SDK gives every promise it makes a stack trace (`_debugStackTrace`, set in
 * `@pulumi/pulumi/runtime/debuggable.js` with `new Error().stack`) and so formats one on the
 * spot, about seven per resource, for a report it prints only when PULUMI_DEBUG_PROMISE_LEAKS is
 * set. Under Pulumi's runner each goes through source-map-support: 43% of a 200-service preview
 * (`npm run bench`). This formatter answers exactly those traces with an empty string, without
 * formatting them, and hands every other trace to the formatter installed before it, so error
 * messages and the source positions Pulumi records for resources are what they were. It also
 * has the SDK's `debuggablePromise` take its trace with `Error.stackTraceLimit` at 0, so V8
 * collects no frames for it either (a quarter of an evaluation under the mocks); where that
 * export cannot be wrapped, the formatter still recognizes the trace by its top frame.
 *
 * With PULUMI_DEBUG_PROMISE_LEAKS set it installs nothing: the traces are wanted then.
 */
import * as path from "path";

type Formatter = (error: Error, frames: NodeJS.CallSite[]) => unknown;
type Marked = Formatter & { [MARK]?: true };
/** V8's hook; @types/node declares it always set, but it is undefined until someone sets it. */
const V8 = Error as { prepareStackTrace?: Formatter };

const MARK = Symbol.for("platform.promiseTraces");
const DEBUGGABLE = path.join("@pulumi", "pulumi", "runtime", "debuggable.js");

type Debuggable = (<T>(p: Promise<T>, ctx: string) => Promise<T>) & { [MARK]?: true };
/** The SDK module that takes the traces; its callers read `debuggablePromise` from it at each call. */
interface DebuggableModule {
    debuggablePromise?: Debuggable;
}
/** How many `debuggablePromise` calls are taking their trace right now (it is synchronous: 0 or 1). */
let capturing = 0;

/**
 * Installs the formatter on `Error.prepareStackTrace`, once. Returns a function that puts the
 * previous formatter back, or undefined when nothing was installed.
 */
export function skipPromiseDebugTraces(env: NodeJS.ProcessEnv = process.env): (() => void) | undefined {
    const previous: Marked | undefined = V8.prepareStackTrace;
    if (env.PULUMI_DEBUG_PROMISE_LEAKS || previous?.[MARK]) {
        return undefined;
    }
    const formatter: Marked = (error, frames) => {
        if (capturing > 0 || isPromiseDebugTrace(frames)) {
            return "";
        }
        return previous ? previous(error, frames) : v8Format(error, frames);
    };
    formatter[MARK] = true;
    V8.prepareStackTrace = formatter;
    const unwrap = takeTracesWithoutFrames();
    return () => {
        unwrap?.();
        if (V8.prepareStackTrace === formatter) {
            V8.prepareStackTrace = previous;
        }
    };
}

/**
 * Wraps the SDK's `debuggablePromise` so the trace it takes (`new Error().stack`) is taken with
 * `Error.stackTraceLimit` at 0: no frames collected, and the formatter answers it with "". Returns
 * what undoes it, or undefined when the SDK has no such export (a later SDK) or it is wrapped already.
 */
function takeTracesWithoutFrames(): (() => void) | undefined {
    let sdk: DebuggableModule;
    try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        sdk = require("@pulumi/pulumi/runtime/debuggable") as DebuggableModule;
    } catch {
        return undefined;
    }
    const original = sdk.debuggablePromise;
    if (typeof original !== "function" || original[MARK]) {
        return undefined;
    }
    const wrapped: Debuggable = <T>(p: Promise<T>, ctx: string): Promise<T> => {
        const limit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        capturing++;
        try {
            return original(p, ctx);
        } finally {
            capturing--;
            Error.stackTraceLimit = limit;
        }
    };
    wrapped[MARK] = true;
    sdk.debuggablePromise = wrapped;
    return () => {
        if (sdk.debuggablePromise === wrapped) {
            sdk.debuggablePromise = original;
        }
    };
}

/** The trace `debuggablePromise` takes: its own frame is the top one. */
function isPromiseDebugTrace(frames: readonly NodeJS.CallSite[]): boolean {
    const top = frames[0];
    return top !== undefined && top.getFunctionName() === "debuggablePromise" && (top.getFileName() ?? "").endsWith(DEBUGGABLE);
}

/** What V8 prints when no formatter is installed: the error, then one `at` line per frame. */
function v8Format(error: Error, frames: readonly NodeJS.CallSite[]): string {
    let head: string;
    try {
        head = String(error);
    } catch {
        head = "Error";
    }
    // A V8 CallSite prints itself as V8 would (`fn (file:line:column)`); @types/node leaves that out.
    return [head, ...frames.map((f) => `    at ${(f as unknown as { toString(): string }).toString()}`)].join("\n");
}
