import { CANARY_VAR } from "../../config/canary";
import { PINNED_IMAGES_VAR } from "../../config/pinnedImages";

/** Where a release's traffic stands, as far as the updates that finished say. */
export interface Traffic {
    /** The canary's share after the last update that succeeded (0: none, the stable version takes all). */
    weight: number;
    /** The step that update applied (`2/3`, `promote`), when one did. */
    step?: string;
    /** The update running now, if any (`step 3/3, 100%`, `abort`). */
    running?: string;
    abort: "not started" | "running" | "done" | "failed";
}

/** The variables of the abort update: no canary, the stable images pinned (config/canary.ts). */
export function abortVariables(stable: Readonly<Record<string, string>>): Record<string, string> {
    return { [PINNED_IMAGES_VAR]: JSON.stringify(stable) };
}

/** A word for the shell: single-quoted, so nothing in it is expanded. */
function quote(word: string): string {
    return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The command that finishes an abort by hand: the abort update, as the release runs it, with the same message. */
export function abortCommand(stack: string, stable: Readonly<Record<string, string>>, message: string): string {
    return `${PINNED_IMAGES_VAR}=${quote(JSON.stringify(stable))} pulumi up --stack ${quote(stack)} --message ${quote(message)}`;
}

/** What a release stopped at once (a second signal) says about traffic, line by line. */
export function trafficReport(t: Traffic, finishByHand: string, stack: string): string[] {
    const weight =
        t.weight === 0
            ? "no canary takes traffic: the stable version takes all of it"
            : `the canary takes ${t.weight}% of traffic (the last update that finished: ${t.step ?? "?"})${t.step === "promote" ? ", and the stable Deployments run the new version" : ""}`;
    const abort = {
        "not started": "the abort update did not start",
        running: "the abort update started and was stopped before it finished",
        done: "the abort update finished: the stable version takes all traffic, the canaries are removed",
        failed: "the abort update failed",
    }[t.abort];
    return [
        `traffic now: ${weight}`,
        ...(t.running ? [`the update of ${t.running} was stopped part-way: some of its changes may be applied (see 'pulumi stack --stack ${stack}')`] : []),
        abort,
        ...(t.abort === "done"
            ? []
            : [
                  `to finish the abort by hand (without ${CANARY_VAR}, the stable images pinned):`,
                  `  ${finishByHand}`,
                  `(if pulumi says an update is in progress, a stopped one still holds the stack: 'pulumi cancel --stack ${stack}' first)`,
              ]),
    ];
}
