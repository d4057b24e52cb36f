import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policyPackArgs } from "./pack";

// The pack's entry point (policy-pack/index.js once compiled, which `pulumi preview --policy-pack
// policy-pack` runs); the rules live in ./rules.
new PolicyPack(PACK_NAME, policyPackArgs());
