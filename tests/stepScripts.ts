import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";

/** A workflow step's `run` script and the environment GitHub would give it (PATH and the summary file are added). */
export interface StepRun {
    readonly script: string;
    readonly env: Readonly<Record<string, string>>;
}

/** How a step's script ended: its exit status and stderr, the arguments it gave `npm` (none: it did not run npm), what it appended to $GITHUB_STEP_SUMMARY. */
export interface StepResult {
    readonly status: number;
    readonly stderr: string;
    readonly npm?: string;
    readonly summary: string;
}

const quoted = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;

/**
 * Runs step scripts as GitHub runs a `run:` step (`bash -e` on a file), each in an environment of
 * its own and nothing else (`env -i`), with a fake `npm` on the PATH that records its arguments.
 * One bash process runs them all in turn: starting a process from the test process (hundreds of
 * megabytes) costs far more than the scripts themselves.
 */
export function runStepScripts(runs: readonly StepRun[]): StepResult[] {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-steps-"));
    try {
        const at = (name: string) => path.join(dir, name);
        fs.mkdirSync(at("bin"));
        fs.writeFileSync(at("bin/npm"), `#!/bin/sh\nprintf '%s ' "$@" > ${quoted(at("npm"))}\n`, { mode: 0o755 });
        const driver = runs.map((run, i) => {
            for (const name of Object.keys(run.env)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not an environment variable name: ${name}`);
            fs.writeFileSync(at(`${i}.sh`), run.script);
            fs.writeFileSync(at(`${i}.summary`), "");
            const env = { ...run.env, PATH: `${at("bin")}${path.delimiter}${process.env.PATH}`, GITHUB_STEP_SUMMARY: at(`${i}.summary`) };
            const assignments = Object.entries(env).map(([k, v]) => `${k}=${quoted(v)}`);
            return [
                `env -i ${assignments.join(" ")} bash -e ${quoted(at(`${i}.sh`))} 2> ${quoted(at(`${i}.stderr`))}`,
                `echo $? > ${quoted(at(`${i}.status`))}`,
                `if [ -f ${quoted(at("npm"))} ]; then mv ${quoted(at("npm"))} ${quoted(at(`${i}.npm`))}; fi`,
            ].join("\n");
        });
        const r = spawnSync("bash", ["-c", driver.join("\n")], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`the driver failed: ${r.stderr}`);
        return runs.map((_, i) => ({
            status: Number(fs.readFileSync(at(`${i}.status`), "utf8")),
            stderr: fs.readFileSync(at(`${i}.stderr`), "utf8"),
            npm: fs.existsSync(at(`${i}.npm`)) ? fs.readFileSync(at(`${i}.npm`), "utf8").trim() : undefined,
            summary: fs.readFileSync(at(`${i}.summary`), "utf8"),
        }));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
