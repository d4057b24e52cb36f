import { disruptionBudgetRule, productionReplicasRule } from "./availability";
import { Rule } from "./common";
import { canaryCertificateRule } from "./canary";
import { configMapSecretsRule } from "./configMaps";
import { ingressTlsRule, serviceTypeRule } from "./exposure";
import { gatewayRoutesRule } from "./gateway";
import { githubEnvironmentReviewersRule } from "./github";
import { rbacRule } from "./rbac";
import { immutableImagesOutsideProductionRule, immutableImagesRule, resourcesAndProbesRule, securityContextRule } from "./workloads";

export * from "./common";

/** Every rule of the pack, in the order docs/policies.md lists them. */
export const RULES: readonly Rule[] = [
    securityContextRule,
    resourcesAndProbesRule,
    immutableImagesRule,
    immutableImagesOutsideProductionRule,
    disruptionBudgetRule,
    productionReplicasRule,
    ingressTlsRule,
    gatewayRoutesRule,
    serviceTypeRule,
    configMapSecretsRule,
    rbacRule,
    githubEnvironmentReviewersRule,
    canaryCertificateRule,
];
