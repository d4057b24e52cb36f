import { ChildProcess } from "child_process";
import { Track } from "./processes";

/** The signals that stop a tool: Ctrl-C, a cancelled CI job, the terminal closed. */
const STOPPING: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/**
 * Catches the signals that stop a tool, from `listen()` until `close()`. The first one is
 * remembered (`signal()`) and aborts `aborted`, so that a tool waiting on something other than a
 * child (a question) stops at once; every one is passed on to the child running then (given by
 * `track`), unless `passOn` says otherwise. The tool stops before its next step, cleans up, and
 * exits with `signalExit(signal)`: nothing is left behind, neither a child nor a temporary file.
 */
export class Interrupts {
    private first: NodeJS.Signals | undefined;
    private child: ChildProcess | undefined;
    private caught = 0;
    private readonly listeners: ((signal: NodeJS.Signals, count: number) => void)[] = [];
    private readonly controller = new AbortController();
    private readonly handler = (signal: NodeJS.Signals) => {
        this.first ??= signal;
        this.caught += 1;
        if (this.child && this.passOn(signal)) this.child.kill(signal);
        this.controller.abort();
        this.listeners.forEach((listener) => listener(signal, this.caught));
    };

    private constructor(private readonly passOn: (signal: NodeJS.Signals) => boolean) {
        STOPPING.forEach((s) => process.on(s, this.handler));
    }

    /** Starts catching; `passOn` decides whether a signal reaches the running child (default: always). */
    static listen(passOn: (signal: NodeJS.Signals) => boolean = () => true): Interrupts {
        return new Interrupts(passOn);
    }

    /** The first signal caught, if any (a method: it changes between two awaits). */
    signal(): NodeJS.Signals | undefined {
        return this.first;
    }

    /** Calls `listener` with each signal caught and how many have been caught so far, this one included (1 for the first). */
    onSignal(listener: (signal: NodeJS.Signals, count: number) => void): void {
        this.listeners.push(listener);
    }

    /** Aborted by the first signal. */
    get aborted(): AbortSignal {
        return this.controller.signal;
    }

    /** Give to `capture` or `runLive`: the child to pass signals on to while it runs. */
    readonly track: Track = (child) => {
        this.child = child;
    };

    close(): void {
        STOPPING.forEach((s) => process.removeListener(s, this.handler));
    }
}
