import { loadPlatformConfig } from "./config/load";
import { deployPlatform } from "./program";
import { skipPromiseDebugTraces } from "./runtime/promiseTraces";

// Before any resource: the SDK's per-promise debug traces are not formatted (runtime/promiseTraces.ts).
skipPromiseDebugTraces();

// Configuration is read and validated in full before any resource is declared.
const platform = deployPlatform(loadPlatformConfig());

export const namespace = platform.namespace;
export const services = platform.services;
export const publicUrl = platform.publicUrl;
export const claims = platform.claims;
export const releases = platform.releases;
export const canary = platform.canary;
