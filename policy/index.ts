import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policyPackArgs } from "./pack";

// The entry point `pulumi preview --policy-pack policy` runs; the rules live in ./rules.
new PolicyPack(PACK_NAME, policyPackArgs());
