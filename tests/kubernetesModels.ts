import * as fs from "fs";
import * as path from "path";
import Ajv, { ErrorObject } from "ajv";
import YAML from "yaml";
import { Namespace, ServiceAccount, ConfigMap, Secret, Service } from "kubernetes-models/v1";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Ingress, NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1";
import { CronJob, Job } from "kubernetes-models/batch/v1";
import { Role, RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1";
import { PodMonitor, ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1";
import { ObjectMeta } from "@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta";
import { Manifest } from "../tools/harness/manifests";
import { CEL_RULES, celKey } from "./celRules";
import { checkArgo } from "./argoRolloutsModels";

/** Throws the schema errors of one object, as `data/<path> <message>` joined by ", ". */
type Check = (m: Manifest) => void;

const model =
    (Model: new (data: any) => { validate(): void }): Check =>
    (m) =>
        new Model(m).validate();

/** The messages of the CEL rules each CRD-checked kind has that ajv skips (no equivalent in celRules.ts), in schema order. */
export const SKIPPED_CEL_RULES: Record<string, string[]> = {};

// The Kubernetes OpenAPI schema, compiled by kubernetes-models: types, required fields, enums
// and formats (int32, quantities). It does not reject unknown fields; those are caught when
// the program compiles, by the excess-property checks of @pulumi/kubernetes's input types.
const MODELS: Record<string, Check> = {
    "v1/Namespace": model(Namespace),
    "v1/ServiceAccount": model(ServiceAccount),
    "v1/ConfigMap": model(ConfigMap),
    "v1/Secret": model(Secret),
    "v1/Service": model(Service),
    "apps/v1/Deployment": model(Deployment),
    "apps/v1/StatefulSet": model(StatefulSet),
    "autoscaling/v2/HorizontalPodAutoscaler": model(HorizontalPodAutoscaler),
    "policy/v1/PodDisruptionBudget": model(PodDisruptionBudget),
    "networking.k8s.io/v1/Ingress": model(Ingress),
    "networking.k8s.io/v1/NetworkPolicy": model(NetworkPolicy),
    "batch/v1/Job": model(Job),
    "batch/v1/CronJob": model(CronJob),
    "rbac.authorization.k8s.io/v1/Role": model(Role),
    "rbac.authorization.k8s.io/v1/RoleBinding": model(RoleBinding),
    "monitoring.coreos.com/v1/ServiceMonitor": model(ServiceMonitor),
    "monitoring.coreos.com/v1/PodMonitor": model(PodMonitor),
    // Argo Rollouts (in-cluster canaries), from @kubernetes-models/argo-rollouts, unknown fields refused too.
    "argoproj.io/v1alpha1/Rollout": checkArgo,
    "argoproj.io/v1alpha1/AnalysisTemplate": checkArgo,
    ...crdChecks("external-secrets.io_externalsecrets.yaml"),
    // The Gateway API's standard channel of v1.6.1, v1 only (the program writes no v1beta1).
    ...crdChecks("gateway.networking.k8s.io_httproutes.yaml", ["v1"]),
    ...crdChecks("gateway.networking.k8s.io_gateways.yaml", ["v1"]),
    ...crdChecks("gateway.networking.k8s.io_gatewayclasses.yaml", ["v1"]),
};

/** The `apiVersion/kind` of every object `validateManifest` has a schema for. */
export const SUPPORTED_KINDS: readonly string[] = Object.keys(MODELS);

/**
 * Checks one object against the schema of its apiVersion and kind; throws naming the object and
 * every schema error, or "no schema model for <apiVersion> <kind>" when there is no schema.
 */
export function validateManifest(m: Manifest): void {
    const check = MODELS[`${m.apiVersion}/${m.kind}`];
    if (!check) throw new Error(`no schema model for ${m.apiVersion} ${m.kind}`);
    try {
        check(m);
    } catch (e) {
        throw new Error(`${m.apiVersion} ${m.kind} ${m.metadata?.name}: ${(e as Error).message}`);
    }
}

interface CelValidation {
    readonly rule: string;
    readonly message?: string;
}

/** Every CEL rule of a schema, depth first. */
function celRulesOf(schema: unknown): CelValidation[] {
    if (typeof schema !== "object" || schema === null) return [];
    const s = schema as Record<string, unknown>;
    const children = [...Object.values(s.properties ?? {}), s.items, s.additionalProperties];
    return [...((s["x-kubernetes-validations"] ?? []) as CelValidation[]), ...children.flatMap(celRulesOf)];
}

/**
 * Checks for the served versions (or the `versions` named) of a CustomResourceDefinition copied
 * into tests/crds/, for custom resources whose kubernetes-models package needs a newer Node than
 * this project's: @kubernetes-models/external-secrets has external-secrets.io/v1 only from 2.0.0
 * (Node >= 22); @kubernetes-models/gateway-api 0.5.x is built from Gateway API v1.0.0 (no CORS
 * filter) and 2.0.0 needs Node >= 22. ajv applies the CRD's openAPIV3Schema as the API server's
 * structural checks would (types, required, enums, patterns); it does not evaluate CEL rules
 * (x-kubernetes-validations) except those celRules.ts carries a JavaScript equivalent of (the
 * others are listed in SKIPPED_CEL_RULES), nor the date-time, int64 and ipv6 formats, and it
 * checks the metadata as an ObjectMeta.
 */
function crdChecks(file: string, versions?: readonly string[]): Record<string, Check> {
    const crd = YAML.parse(fs.readFileSync(path.join(__dirname, "crds", file), "utf8")) as {
        spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema: { openAPIV3Schema: object } }[] };
    };
    // int32 is range-checked, as the API server does; int64 and ipv6 (Gateway addresses, which the program does not set) are not.
    const formats = {
        "date-time": true as const,
        int32: { type: "number" as const, validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 },
        int64: true as const,
        ipv4: /^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/,
        ipv6: true as const,
    };
    // Without ajv's optimization pass the CRDs compile faster; what they accept is the same.
    const ajv = new Ajv({ allErrors: true, strict: false, formats, code: { optimize: false } });
    const cel = (rules: CelValidation[], data: unknown): boolean => {
        const failed = rules.filter((r) => {
            const rule = CEL_RULES[celKey(r.rule)];
            try {
                return rule !== undefined && !rule(data);
            } catch {
                // A value of the wrong type: the structural checks report it, and CEL would not run.
                return false;
            }
        });
        cel.errors = failed.map((r) => ({ keyword: "x-kubernetes-validations", message: r.message ?? `failed rule: ${celKey(r.rule)}`, params: {} }));
        return failed.length === 0;
    };
    cel.errors = [] as Partial<ErrorObject>[];
    ajv.addKeyword({ keyword: "x-kubernetes-validations", schemaType: "array", errors: true, validate: cel });
    const checks: Record<string, Check> = {};
    for (const version of crd.spec.versions.filter((v) => v.served && (versions ?? [v.name]).includes(v.name))) {
        const schema = ajv.compile(version.schema.openAPIV3Schema);
        const key = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
        SKIPPED_CEL_RULES[key] = [...new Set(celRulesOf(version.schema.openAPIV3Schema).filter((r) => !(celKey(r.rule) in CEL_RULES)).map((r) => r.message ?? celKey(r.rule)))];
        checks[key] = (m) => {
            const errors: string[] = [];
            if (!schema(m)) errors.push(...(schema.errors ?? []).map((e) => `data${e.instancePath} ${e.message}${e.keyword === "enum" ? ` (${(e.params as { allowedValues: string[] }).allowedValues.join(", ")})` : ""}`));
            try {
                new ObjectMeta(m.metadata).validate();
            } catch (e) {
                errors.push(...(e as Error).message.split(", ").map((s) => s.replace(/^data/, "data/metadata")));
            }
            if (errors.length > 0) throw new Error(errors.join(", "));
        };
    }
    return checks;
}
