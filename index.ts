import { loadPlatformConfig } from "./config/load";
import { deployPlatform } from "./program";

// Configuration is read and validated in full before any resource is declared.
const platform = deployPlatform(loadPlatformConfig());

export const namespace = platform.namespace;
export const services = platform.services;
export const publicUrl = platform.publicUrl;
