import { RecordedResource } from "../harness/evaluate";
import { redact } from "../harness/manifests";

/** A GitHub resource as the render writes it: what it is and the inputs sent to the provider. */
export interface GithubDocument {
    readonly type: string;
    readonly name: string;
    readonly inputs: Record<string, unknown>;
}

/**
 * The GitHub resources the program declared (types `github:...`; not the provider itself), their
 * inputs redacted as Kubernetes Secrets are: every value held as a secret becomes the placeholder.
 */
export function toGithubDocuments(resources: readonly RecordedResource[]): GithubDocument[] {
    return resources.filter((r) => r.type.startsWith("github:")).map((r) => ({ type: r.type, name: r.name, inputs: redact(r.inputs) as Record<string, unknown> }));
}
