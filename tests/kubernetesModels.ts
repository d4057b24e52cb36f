import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv";
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

/** Throws the schema errors of one object, as `data/<path> <message>` joined by ", ". */
type Check = (m: Manifest) => void;

const model =
    (Model: new (data: any) => { validate(): void }): Check =>
    (m) =>
        new Model(m).validate();

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
    ...crdChecks("external-secrets.io_externalsecrets.yaml"),
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

/**
 * Checks for the served versions of a CustomResourceDefinition copied into tests/crds/, for
 * custom resources whose kubernetes-models package needs a newer Node than this project's:
 * @kubernetes-models/external-secrets has external-secrets.io/v1 only from 2.0.0 (Node >= 22).
 * ajv applies the CRD's openAPIV3Schema as the API server's structural checks would (types,
 * required, enums, patterns); it does not evaluate CEL rules (x-kubernetes-validations) nor
 * the date-time format (status only), and it checks the metadata as an ObjectMeta.
 */
function crdChecks(file: string): Record<string, Check> {
    const crd = YAML.parse(fs.readFileSync(path.join(__dirname, "crds", file), "utf8")) as {
        spec: { group: string; names: { kind: string }; versions: { name: string; served: boolean; schema: { openAPIV3Schema: object } }[] };
    };
    const ajv = new Ajv({ allErrors: true, strict: false, formats: { "date-time": true } });
    const checks: Record<string, Check> = {};
    for (const version of crd.spec.versions.filter((v) => v.served)) {
        const schema = ajv.compile(version.schema.openAPIV3Schema);
        checks[`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`] = (m) => {
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
