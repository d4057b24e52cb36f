/**
 * Pulumi's SDK gives every promise it makes a stack trace (`_debugStackTrace`, set in
 * `@pulumi/pulumi/runtime/debuggable.js` with `new Error().stack`) and so formats one on the
 * spot, about seven per resource, for a report it prints only when PULUMI_DEBUG_PROMISE_LEAKS is
 * set. Under Pulumi's runner each goes through source-map-support: 43% of a 200-service preview
 * (`npm run bench`). This formatter answers exactly those traces with an empty string, without
 * formatting them, and hands every other trace to the formatter installed before it, so error
 * messages and the source positions Pulumi records for resources are what they were.
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
        if (isPromiseDebugTrace(frames)) {
            return "";
        }
        return previous ? previous(error, frames) : v8Format(error, frames);
    };
    formatter[MARK] = true;
    V8.prepareStackTrace = formatter;
    return () => {
        if (V8.prepareStackTrace === formatter) {
            V8.prepareStackTrace = previous;
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
