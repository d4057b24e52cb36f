import * as grpc from "@grpc/grpc-js";
import * as rpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { policyPackCommand, ServingPack, stackConfigureRequest, startPolicyPack, unary } from "../bench/policyPack";
import { PolicyResource } from "../policy/rules";
import { readStackFiles } from "../tools/harness/stackFiles";
import { Finding } from "./policyRunner";
import { REPO } from "./support";

const LEVELS: Record<number, Finding["level"]> = {
    [pb.EnforcementLevel.ADVISORY]: "advisory",
    [pb.EnforcementLevel.MANDATORY]: "mandatory",
    [pb.EnforcementLevel.DISABLED]: "disabled",
    [pb.EnforcementLevel.REMEDIATE]: "remediate",
};
const LEVEL_CODES: Record<string, pb.EnforcementLevel> = Object.fromEntries(Object.entries(LEVELS).map(([code, name]) => [name, Number(code)]));

/** What GetAnalyzerInfo says about each policy. */
export interface PolicyInfo {
    readonly name: string;
    readonly level: Finding["level"];
    readonly configProperties: Record<string, unknown>;
}

/**
 * A policy pack as the Pulumi CLI runs it for `pulumi preview --stack staging --policy-pack
 * <folder>`: `@pulumi/pulumi/cmd/run-policy-pack` started the way pulumi-language-nodejs starts
 * it (bench/policyPack.ts: ts-node registered with type checking, which compiles a TypeScript
 * pack and has nothing to do for a JavaScript one), told its stack with ConfigureStack as the
 * language host's proxy does, then spoken to over the analyzer gRPC protocol the engine uses.
 * Only the engine itself is missing.
 */
export class PolicyPackProcess {
    private constructor(
        private readonly pack: ServingPack,
        private readonly client: rpc.AnalyzerClient,
    ) {}

    /** `folder`: policy-pack (compiled, what CI runs) or policy (the TypeScript source). */
    static async start(folder: "policy-pack" | "policy"): Promise<PolicyPackProcess> {
        const stack = readStackFiles(REPO, "staging", { fillSecrets: true });
        const pack = await startPolicyPack(policyPackCommand(folder, stack));
        const client = new rpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
        const served = new PolicyPackProcess(pack, client);
        await served.call((r, cb) => client.configureStack(r, cb), stackConfigureRequest(stack));
        return served;
    }

    async stop(): Promise<void> {
        this.client.close();
        await this.pack.stop();
    }

    async info(): Promise<{ name: string; version: string; policies: PolicyInfo[] }> {
        const info = await this.call<Empty, pb.AnalyzerInfo>((req, cb) => this.client.getAnalyzerInfo(req, cb), new Empty());
        return {
            name: info.getName(),
            version: info.getVersion(),
            policies: info.getPoliciesList().map((p) => ({
                name: p.getName(),
                level: LEVELS[p.getEnforcementlevel()],
                configProperties: p.getConfigschema()?.getProperties()?.toJavaScript() ?? {},
            })),
        };
    }

    /** Sends the pack config the way the engine does after reading `--policy-pack-config`. */
    async configure(config: Readonly<Record<string, { level: Finding["level"]; properties?: Record<string, unknown> }>>): Promise<void> {
        const req = new pb.ConfigureAnalyzerRequest();
        for (const [name, c] of Object.entries(config)) {
            const pc = new pb.PolicyConfig();
            pc.setEnforcementlevel(LEVEL_CODES[c.level]);
            pc.setProperties(Struct.fromJavaScript((c.properties ?? {}) as Record<string, never>));
            req.getPolicyconfigMap().set(name, pc);
        }
        await this.call<pb.ConfigureAnalyzerRequest, Empty>((r, cb) => this.client.configure(r, cb), req);
    }

    async analyze(r: PolicyResource): Promise<Finding[]> {
        const req = new pb.AnalyzeRequest();
        req.setType(r.type);
        req.setName(r.name);
        req.setUrn(r.urn);
        req.setProperties(structOf(r.props));
        req.setOptions(new pb.AnalyzerResourceOptions());
        return findings(await this.call<pb.AnalyzeRequest, pb.AnalyzeResponse>((x, cb) => this.client.analyze(x, cb), req), r.urn);
    }

    async analyzeStack(resources: readonly PolicyResource[]): Promise<Finding[]> {
        const req = new pb.AnalyzeStackRequest();
        req.setResourcesList(
            resources.map((r) => {
                const a = new pb.AnalyzerResource();
                a.setType(r.type);
                a.setName(r.name);
                a.setUrn(r.urn);
                a.setProperties(structOf(r.props));
                a.setOptions(new pb.AnalyzerResourceOptions());
                return a;
            }),
        );
        return findings(await this.call<pb.AnalyzeStackRequest, pb.AnalyzeResponse>((x, cb) => this.client.analyzeStack(x, cb), req), "");
    }

    private call<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
        return unary(method, req);
    }
}

function structOf(props: Readonly<Record<string, unknown>>): Struct {
    // JSON drops undefined fields, as the engine's property maps do.
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)) as Record<string, never>);
}

function findings(res: pb.AnalyzeResponse, urn: string): Finding[] {
    return res.getDiagnosticsList().map((d) => ({
        policy: d.getPolicyname(),
        level: LEVELS[d.getEnforcementlevel()],
        message: d.getMessage(),
        urn: d.getUrn() || urn,
    }));
}
