/**
 * A copy of the repository grown as a new team member would grow it (issue 12): a service
 * `market-maker` (port 8006, calling execution and risk-manager, a secret from config, an
 * Ingress, 2 replicas in staging, an autoscaler 3-8 in production, pinned there to the digest staging ran) and an
 * environment `qa` (a copy of staging with its own namespace and domain, no GitHub, CI previews
 * it). Configuration only: no test, workflow or code is edited.
 *
 *   node -r ts-node/register tests/e2e/grow.ts <empty folder>    (then npm run generate && npm test there)
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";
import { lookUp } from "../../tools/harness/registry";

const REPO = path.resolve(__dirname, "..", "..");
const P = "hft-platform";

/** The new service's catalog entry, without its secret (the render tests add it alone). */
export const MARKET_MAKER = {
    port: 8006,
    image: { repository: "ghcr.io/acme-trading/hft-market-maker" },
    env: { EXECUTION_URL: "http://execution", RISK_MANAGER_URL: "http://risk-manager" },
    ingress: { hostPrefix: "mm", path: "/" },
} as const;

/** The services market-maker calls: each lists it in `allowFrom`. */
export const MARKET_MAKER_CALLEES = ["execution", "risk-manager"] as const;

/** Copies the repository's tracked files to `dir` (node_modules linked) and adds the service and the environment. */
export function growCopy(dir: string): void {
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" }).split("\0").filter((f) => f !== "");
    for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
    }
    fs.symlinkSync(path.join(REPO, "node_modules"), path.join(dir, "node_modules"), "dir");

    edit(dir, "Pulumi.yaml", (doc) => {
        const services = doc.getIn(["config", "catalog", "value", "services"]) as YAML.YAMLMap;
        services.set(
            "market-maker",
            doc.createNode({ ...MARKET_MAKER, secrets: { MARKET_MAKER_API_KEY: { fromConfig: "marketMakerApiKey" } } }),
        );
        for (const callee of MARKET_MAKER_CALLEES) {
            const allow = doc.getIn(["config", "catalog", "value", "services", callee, "allowFrom"]) as YAML.YAMLSeq;
            allow.add("market-maker");
        }
    });
    edit(dir, "Pulumi.staging.yaml", (doc) => {
        doc.setIn(["config", `${P}:environment`, "services", "market-maker"], doc.createNode({ replicas: 2 }));
    });
    edit(dir, "Pulumi.production.yaml", (doc) => {
        doc.setIn(
            ["config", `${P}:environment`, "services", "market-maker"],
            doc.createNode({
                // What `npm run promote -- --from staging --to production` writes: the digest staging
                // ran (offline, the mock registry's answer for staging's tag), so the promotion gate passes.
                image: { tag: "1.4.2", digest: lookUp(`${MARKET_MAKER.image.repository}:main-3f9c2ab`).digest },
                autoscaling: { enabled: true, minReplicas: 3, maxReplicas: 8 },
            }),
        );
    });
    // qa: staging's settings in a namespace and domain of its own, without GitHub; CI previews it.
    const staging = YAML.parseDocument(fs.readFileSync(path.join(dir, "Pulumi.staging.yaml"), "utf8"));
    staging.setIn(["config", `${P}:environment`, "namespace"], "hft-qa");
    staging.setIn(["config", `${P}:environment`, "domain"], "qa.acme-trading.example");
    staging.deleteIn(["config", `${P}:environment`, "ci"]);
    staging.deleteIn(["config", `${P}:github`]);
    fs.writeFileSync(path.join(dir, "Pulumi.qa.yaml"), staging.toString({ lineWidth: 0 }));
}

function edit(dir: string, file: string, change: (doc: YAML.Document) => void): void {
    const doc = YAML.parseDocument(fs.readFileSync(path.join(dir, file), "utf8"));
    change(doc);
    fs.writeFileSync(path.join(dir, file), doc.toString({ lineWidth: 0 }));
}

if (require.main === module) {
    const dir = process.argv[2];
    if (!dir || (fs.existsSync(dir) && fs.readdirSync(dir).length > 0)) {
        process.stderr.write("usage: node -r ts-node/register tests/e2e/grow.ts <empty folder>\n");
        process.exit(2);
    }
    fs.mkdirSync(dir, { recursive: true });
    growCopy(path.resolve(dir));
    process.stdout.write(`grown copy in ${dir}: now run 'npm run generate && npm test' there\n`);
}
