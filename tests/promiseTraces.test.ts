import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as url from "url";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { skipPromiseDebugTraces } from "../runtime/promiseTraces";
import { withoutSourcePositions } from "../tools/harness/sourcePositions";
import { run, uncached } from "./support";

// The SDK's internal helper that takes a trace for every promise it makes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { debuggablePromise } = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>, ctx: string) => Promise<T> };

type Formatter = (error: Error, frames: NodeJS.CallSite[]) => unknown;
/** V8's hook, which may be undefined (@types/node declares it always set). */
const V8 = Error as { prepareStackTrace?: Formatter };

/** A formatter standing in for source-map-support: counts its calls, marks what it formats. */
function countingFormatter(): { formatter: Formatter; calls: () => number } {
    let calls = 0;
    return {
        formatter: (error, frames) => {
            calls++;
            return `formatted(${error.message}, ${frames.length} frames)`;
        },
        calls: () => calls,
    };
}

function boom(): Error {
    return new Error("boom");
}

interface Registered {
    readonly name: string;
    readonly position?: { uri: string; line: number };
}

/** Declares one ConfigMap under Pulumi's mocks and returns where the SDK says it was declared. */
async function declareConfigMap(): Promise<Registered[]> {
    await pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: a.inputs }), call: (a) => a.inputs }, "project", "stack", true);
    const monitor = (pulumi.runtime as unknown as { getMonitor(): { registerResource: (req: any, cb: unknown) => void } }).getMonitor();
    const registered: Registered[] = [];
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) => {
        const pos = req.getSourceposition();
        registered.push({ name: req.getName(), position: pos && { uri: pos.getUri(), line: pos.getLine() } });
        register(req, cb);
    };
    const cm = new k8s.core.v1.ConfigMap("probe", { data: { a: "b" } }); // <- SOURCE POSITION
    await new Promise((resolve) => cm.urn.apply(resolve));
    return registered;
}

describe("runtime/promiseTraces: the SDK's per-promise debug traces are not formatted", () => {
    let saved: Formatter | undefined;
    beforeEach(() => (saved = V8.prepareStackTrace));
    afterEach(() => (V8.prepareStackTrace = saved));

    it("answers the trace debuggablePromise takes with an empty string, without calling the formatter", async () => {
        const counting = countingFormatter();
        V8.prepareStackTrace = counting.formatter;
        const restore = skipPromiseDebugTraces({});
        assert.ok(restore, "installed");
        const p = Promise.resolve(1);
        assert.equal(await debuggablePromise(p, "test"), 1);
        assert.equal((p as unknown as { _debugStackTrace: unknown })._debugStackTrace, "");
        assert.equal(counting.calls(), 0);
    });

    it("has the SDK take those traces without collecting frames (its callers read the function from its module at each call)", async () => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const sdk = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: typeof debuggablePromise };
        // Wrapped already when an evaluation earlier in this process installed it (the harness never undoes it).
        const before = sdk.debuggablePromise;
        const counting = countingFormatter();
        V8.prepareStackTrace = counting.formatter;
        const limit = Error.stackTraceLimit;
        const restore = skipPromiseDebugTraces({})!;
        // With the formatter out of the way, the trace the SDK takes reaches the one before it: with no frames.
        V8.prepareStackTrace = counting.formatter;
        const p = Promise.resolve(2);
        assert.equal(await sdk.debuggablePromise(p, "test"), 2);
        assert.equal((p as unknown as { _debugStackTrace: unknown })._debugStackTrace, "formatted(, 0 frames)");
        assert.equal(Error.stackTraceLimit, limit, "the limit is put back after the trace");
        assert.match(String(boom().stack), /^formatted\(boom, [1-9]\d* frames\)$/, "other errors keep their frames");
        restore();
        assert.equal(sdk.debuggablePromise, before, "as it was before this installation");
    });

    it("hands every other trace to the formatter installed before it", () => {
        const counting = countingFormatter();
        V8.prepareStackTrace = counting.formatter;
        skipPromiseDebugTraces({});
        assert.match(String(boom().stack), /^formatted\(boom, \d+ frames\)$/);
        assert.equal(counting.calls(), 1);
    });

    it("formats like V8 when no formatter was installed before it", () => {
        V8.prepareStackTrace = undefined;
        const plain = String(boom().stack).split("\n").slice(0, 2);
        skipPromiseDebugTraces({});
        const hooked = String(boom().stack).split("\n").slice(0, 2);
        assert.deepEqual(hooked, plain);
        assert.match(hooked[1], /^ {4}at boom \(.*promiseTraces\.test\.ts:\d+:\d+\)$/);
    });

    it("installs nothing when PULUMI_DEBUG_PROMISE_LEAKS asks for the traces, installs once, and can be undone", async () => {
        const counting = countingFormatter();
        V8.prepareStackTrace = counting.formatter;
        assert.equal(skipPromiseDebugTraces({ PULUMI_DEBUG_PROMISE_LEAKS: "1" }), undefined);
        assert.equal(V8.prepareStackTrace, counting.formatter);
        const p = Promise.resolve(1);
        await debuggablePromise(p, "test");
        assert.match(String((p as unknown as { _debugStackTrace: unknown })._debugStackTrace), /^formatted/);

        const restore = skipPromiseDebugTraces({})!;
        const installed = V8.prepareStackTrace;
        assert.equal(skipPromiseDebugTraces({}), undefined, "a second call installs nothing");
        assert.equal(V8.prepareStackTrace, installed);
        restore();
        assert.equal(V8.prepareStackTrace, counting.formatter);
    });

    it("leaves one formatted trace per resource, the one Pulumi records the source position from (not one per promise)", async () => {
        const without = countingFormatter();
        V8.prepareStackTrace = without.formatter;
        await declareConfigMap();
        const with_ = countingFormatter();
        V8.prepareStackTrace = with_.formatter;
        skipPromiseDebugTraces({});
        await declareConfigMap();
        assert.ok(without.calls() >= 5, `the SDK formats a trace per promise: ${without.calls()} for one resource`);
        // The one left: Resource.callsites, whose frames give the resource's source position.
        assert.equal(with_.calls(), 1);
    });

    it("keeps resources' source positions on the TypeScript line that declared them, under the runner's source-map-support", async () => {
        // What Pulumi's runner installs first (cmd/run/index.js: require("source-map-support/register")).
        const sms = require.resolve("source-map-support", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] });
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require(sms) as { install(o: object): void }).install({ environment: "node", handleUncaughtExceptions: false });
        skipPromiseDebugTraces({});
        const registered = await declareConfigMap();
        const line = fs.readFileSync(__filename, "utf8").split("\n").findIndex((l) => l.includes("// <- SOURCE POSITION")) + 1;
        const probe = registered.find((r) => r.name === "probe");
        // SWC moves lines; ts-node's source maps (mocha registers it as Pulumi's runner does) map them back.
        assert.deepEqual(probe?.position, { uri: url.pathToFileURL(__filename).toString(), line });
    });
});

describe("tools/harness/sourcePositions: evaluations under the mocks take no resource source positions", () => {
    let saved: Formatter | undefined;
    beforeEach(() => (saved = V8.prepareStackTrace));
    afterEach(() => (V8.prepareStackTrace = saved));

    const RESOURCE_JS = path.join("@pulumi", "pulumi", "resource.js");
    /** Counts the traces the SDK takes for resources' source positions (Resource.callsites), passing every trace on. */
    function countingPositions(): () => number {
        const previous = V8.prepareStackTrace;
        let taken = 0;
        V8.prepareStackTrace = (error, frames) => {
            if (frames.some((f) => f.getFunctionName() === "callsites" && (f.getFileName() ?? "").endsWith(RESOURCE_JS))) taken++;
            return previous ? previous(error, frames) : String(error);
        };
        return () => taken;
    }
    const probe = (registered: Registered[]) => registered.find((r) => r.name === "probe")?.position;

    it("the harness evaluates a whole stack without taking one, and the counter does see the SDK take one outside it", async () => {
        const inside = countingPositions();
        await uncached(() => run("staging"));
        assert.equal(inside(), 0);
        const outside = countingPositions();
        await declareConfigMap();
        assert.equal(outside(), 1, "one trace for the one resource declared outside an evaluation");
    });

    it("positions come back once the last of overlapping evaluations ends", async () => {
        let release: () => void = () => undefined;
        const held = new Promise<void>((r) => (release = r));
        const first = withoutSourcePositions(() => held);
        const during = await withoutSourcePositions(() => declareConfigMap());
        assert.equal(probe(during), undefined, "no position inside an evaluation");
        assert.equal(probe(await declareConfigMap()), undefined, "the first evaluation is still running");
        release();
        await first;
        assert.equal(probe(await declareConfigMap())?.uri, url.pathToFileURL(__filename).toString(), "back after the last one");
    });
});
