import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as bench from "../../bench/bench";
import { CommandSpec, helpText } from "../../tools/cli";
import * as images from "../../tools/ci/images";
import * as scanGate from "../../tools/ci/scanGate";
import * as deployFailure from "../../tools/ci/deployFailure";
import * as deployReport from "../../tools/ci/deployReport";
import * as notify from "../../tools/ci/notify";
import * as compare from "../../tools/compare";
import * as generate from "../../tools/generate";
import * as importTool from "../../tools/import";
import * as promote from "../../tools/promote";
import * as soakGate from "../../tools/soakGate";
import * as render from "../../tools/render";
import * as rollback from "../../tools/rollback/main";
import { REPO } from "../support";

/**
 * Each tool started as `npm run <tool>` starts it (package.json's script, with this node), asked
 * for --help: one process per tool. Everything else about the command lines is tested
 * in-process (tests/commandLine.test.ts).
 */
const scripts = (JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

const TOOLS: [string, CommandSpec][] = [
    ["render", render.SPEC],
    ["rollback", rollback.SPEC],
    ["bench", bench.SPEC],
    ["generate", generate.SPEC],
    ["compare", compare.SPEC],
    ["import", importTool.SPEC],
    ["images", images.SPEC],
    ["scan-gate", scanGate.SPEC],
    ["deploy-failure", deployFailure.SPEC],
    ["deploy-report", deployReport.SPEC],
    ["promote", promote.SPEC],
    ["soak-gate", soakGate.SPEC],
    ["notify", notify.SPEC],
];

describe("the tools as processes", function () {
    this.timeout(60000);
    for (const [script, spec] of TOOLS) {
        it(`npm run ${script} -- --help prints the help and exits 0`, () => {
            const [command, ...args] = scripts[script].split(" ");
            assert.equal(command, "node", scripts[script]);
            const r = spawnSync(process.execPath, [...args, "--help"], { cwd: REPO, encoding: "utf8" });
            assert.equal(r.stderr, "");
            assert.equal(r.status, 0);
            assert.equal(r.stdout, helpText(spec));
        });
    }
});
