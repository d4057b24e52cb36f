/** One extra pod at a time, and none taken down before its replacement is ready: a Deployment's rolling update and a canary's. */
export const ZERO_DOWNTIME_SURGE = { maxSurge: 1, maxUnavailable: 0 } as const;
