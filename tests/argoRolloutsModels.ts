/**
 * Argo Rollouts objects checked against `@kubernetes-models/argo-rollouts` (0.3.2, the Rollout
 * and AnalysisTemplate CRDs' schemas), and more strictly than the model checks: the model's ajv
 * schema types every field but lets unknown ones through (a misspelt `setWieght` passes), and a
 * CustomResource's spec has no TypeScript type to catch it at compile time. So the schema each
 * model registers with its validator is kept (the one internal this file owns: the package's
 * own copy of `@kubernetes-models/validate`), and every object key it does not declare, where it
 * declares properties and allows no others, is refused with its path.
 */
import * as path from "path";
import { Rollout } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/Rollout";
import { AnalysisTemplate } from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1/AnalysisTemplate";
import { Manifest } from "../tools/harness/manifests";

type Schema = { properties?: Record<string, Schema>; additionalProperties?: unknown; items?: Schema; "x-kubernetes-preserve-unknown-fields"?: boolean };

const PACKAGE = path.dirname(require.resolve("@kubernetes-models/argo-rollouts/package.json"));
// A model registers its schema the first time it validates, after this module has loaded.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const validator = require(require.resolve("@kubernetes-models/validate", { paths: [PACKAGE] })) as { register: (id: string, schema: unknown) => void };
const registered = new Map<string, Schema>();
const register = validator.register;
validator.register = (id: string, schema: unknown) => {
    registered.set(id, schema as Schema);
    register(id, schema);
};

const MODELS: Record<string, { model: new (data: any) => { validate(): void }; id: string }> = {
    Rollout: { model: Rollout, id: "argoproj.io.v1alpha1.Rollout" },
    AnalysisTemplate: { model: AnalysisTemplate, id: "argoproj.io.v1alpha1.AnalysisTemplate" },
};

/** The keys of `value` its schema does not declare, as paths (`spec.strategy.canary.steps[2].setWieght`). */
export function unknownFields(value: unknown, schema: Schema | undefined, at = ""): string[] {
    if (schema === undefined || value === null || typeof value !== "object") return [];
    if (Array.isArray(value)) return value.flatMap((v, i) => unknownFields(v, schema.items, `${at}[${i}]`));
    const props = schema.properties ?? {};
    const strict = Object.keys(props).length > 0 && schema.additionalProperties === undefined && !schema["x-kubernetes-preserve-unknown-fields"];
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
        const p = at ? `${at}.${k}` : k;
        if (Object.hasOwn(props, k)) return unknownFields(v, props[k], p);
        return strict ? [p] : [];
    });
}

/** Throws the model's schema errors, then the fields its schema does not know, for a Rollout or an AnalysisTemplate of `argoproj.io/v1alpha1`. */
export function checkArgo(m: Manifest): void {
    const entry = m.apiVersion === "argoproj.io/v1alpha1" ? MODELS[m.kind] : undefined;
    if (!entry) throw new Error(`no Argo Rollouts model for ${m.apiVersion} ${m.kind}`);
    new entry.model(m).validate();
    const schema = registered.get(entry.id);
    if (!schema) throw new Error(`the schema of ${entry.id} was registered before tests/argoRolloutsModels.ts could keep it`);
    // The metadata is ObjectMeta, by reference: the model checks it.
    const unknown = unknownFields({ ...m, metadata: {} }, schema);
    if (unknown.length > 0) throw new Error(`unknown field${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")}`);
}
