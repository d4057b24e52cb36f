import * as readline from "readline";

/**
 * Asks on the terminal: anything but y/yes, or no answer (end of input), is a no; so is an abort
 * (a signal caught while waiting). Ctrl-C while the question waits reaches readline, not the
 * process (the terminal is in raw mode then): it is raised as the SIGINT it stands for, so the
 * tool stops as it would at any other point.
 */
export function ask(question: string, aborted: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
        if (aborted.aborted) return resolve(false);
        const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
        let answered = false;
        const close = () => rl.close();
        aborted.addEventListener("abort", close, { once: true });
        rl.on("SIGINT", () => process.kill(process.pid, "SIGINT"));
        rl.question(question, (answer) => {
            answered = true;
            rl.close();
            resolve(/^y(es)?$/i.test(answer.trim()));
        });
        rl.on("close", () => {
            aborted.removeEventListener("abort", close);
            if (aborted.aborted) process.stderr.write("\n");
            if (answered) return;
            // A terminal that closes ends the input and sends SIGHUP together: let the signal
            // arrive, so that the tool stops as interrupted, not as "not confirmed".
            if (process.stdin.isTTY && !aborted.aborted) setTimeout(() => resolve(false), 200);
            else resolve(false);
        });
    });
}
