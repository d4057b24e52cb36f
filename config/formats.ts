/**
 * Format checks for values Kubernetes and DNS constrain. Each returns `undefined` when the value
 * is valid, or a short reason when it is not.
 */

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** RFC 1123 label, as Kubernetes requires for Service and Namespace names. */
export function dnsLabel(s: string): string | undefined {
    if (s.length > 63) {
        return `${s.length} characters, at most 63 allowed`;
    }
    return DNS_LABEL.test(s) ? undefined : "lowercase letters, digits and '-' only, starting and ending with a letter or digit";
}

/**
 * A catalog service name: a DNS-1123 label that starts with a letter, because it also names the
 * service's Kubernetes Service, whose name must be a DNS-1035 label.
 */
export function serviceName(s: string): string | undefined {
    return dnsLabel(s) ?? (/^[a-z]/.test(s) ? undefined : "must start with a letter: it names a Kubernetes Service, which needs a DNS-1035 label");
}

/** A fully qualified host name such as `api.staging.example.com` (no wildcard, no port). */
export function hostName(s: string): string | undefined {
    if (s.length > 253) {
        return `${s.length} characters, at most 253 allowed`;
    }
    const labels = s.split(".");
    if (labels.length < 2) {
        return "at least two dot-separated labels";
    }
    return labels.every((l) => dnsLabel(l) === undefined) ? undefined : "each dot-separated label must be a DNS-1123 label";
}

// Kubernetes resource.Quantity: a signed decimal number with an optional binary (Ki..Ei),
// decimal (n, u, m, k, M..E) or exponent suffix.
const QUANTITY = /^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?$/;

// Kubernetes caps larger quantities silently, so a bigger value would not mean what it says.
const MAX_QUANTITY = 2 ** 63 - 1;

export function quantity(s: string): string | undefined {
    if (!QUANTITY.test(s)) {
        return "a number with an optional suffix such as m, Ki, Mi, Gi or k, M, G";
    }
    return quantityValue(s) <= MAX_QUANTITY ? undefined : "too large: Kubernetes caps quantities at 2^63-1";
}

/** A CPU amount: a quantity above zero and at least a millicore. */
export function cpuAmount(s: string): string | undefined {
    const problem = quantity(s);
    if (problem) return problem;
    const cores = quantityValue(s);
    if (cores === 0) return `0 means no amount at all; leave the key out for the tier's, or give one such as "250m"`;
    return cores < 1e-3 ? "below 1m, the smallest CPU amount Kubernetes keeps" : undefined;
}

/** The smallest memory limit container runtimes start a container with (runc refuses less than 6 MiB). */
const MIN_MEMORY = 6 * 2 ** 20;

/** A memory amount: bytes, with no thousandths ('m'), and enough for a container to start. */
export function memoryAmount(s: string): string | undefined {
    const problem = quantity(s);
    if (problem) return problem;
    const bytes = quantityValue(s);
    if (bytes === 0) return `0 means no amount at all; leave the key out for the tier's, or give one such as "512Mi"`;
    const milli = /^\+?([0-9.]+)m$/.exec(s);
    if (milli) return `'m' is thousandths: that is ${parseFloat(milli[1]) / 1000} bytes; did you mean "${milli[1]}Mi"?`;
    if (bytes < MIN_MEMORY) return `${+(bytes / 2 ** 20).toFixed(3)} MiB: below 6Mi no container runtime starts a container`;
    return undefined;
}

/** Parses a valid quantity into base units (cores or bytes) for comparisons. */
export function quantityValue(s: string): number {
    const m = /^\+?([0-9.]+)(.*)$/.exec(s);
    if (!m) {
        return NaN;
    }
    const n = parseFloat(m[1]);
    const suffix = m[2];
    const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
    const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
    if (suffix in binary) {
        return n * binary[suffix];
    }
    if (suffix in decimal) {
        return n * decimal[suffix];
    }
    return n * Math.pow(10, parseInt(suffix.slice(1), 10));
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function envVarName(s: string): string | undefined {
    if (s === "__proto__") {
        return "'__proto__' is reserved (it would be dropped on the way into the ConfigMap or Secret)";
    }
    return ENV_NAME.test(s) ? undefined : "letters, digits and '_' only, not starting with a digit";
}

/** The longest key of a ConfigMap or a Secret (k8s.io/apimachinery validation.IsConfigMapKey). */
const MAX_CONFIG_MAP_KEY = 253;

/** A variable the program writes into a ConfigMap or a Secret, whose key it is. */
export function configMapEnvName(s: string): string | undefined {
    return envVarName(s) ?? (s.length > MAX_CONFIG_MAP_KEY ? `${s.length} characters; a key of a ConfigMap or Secret is at most ${MAX_CONFIG_MAP_KEY}` : undefined);
}

/** The longest path a Gateway API route matches; no other HTTP path needs more. */
const MAX_HTTP_PATH = 1024;

/** An HTTP path for probes and ingress rules. */
export function httpPath(s: string): string | undefined {
    if (!/^\/[A-Za-z0-9\-._~/%]*$/.test(s)) return "must start with '/' and contain only URL path characters";
    return s.length > MAX_HTTP_PATH ? `${s.length} characters, at most ${MAX_HTTP_PATH}` : undefined;
}

// What the API server refuses in an Ingress path of type Exact or Prefix
// (k8s.io/kubernetes pkg/apis/networking/validation: invalidPathSequences, invalidPathSuffixes);
// Gateway API's HTTPRoute refuses the same (its CEL rules on a path match).
const INVALID_PATH_SEQUENCES = ["//", "/./", "/../", "%2f", "%2F"];
const INVALID_PATH_SUFFIXES = ["/..", "/."];

/** An HTTP path an Ingress or an HTTPRoute routes: an HTTP path the API server takes in either. */
export function routedPath(s: string): string | undefined {
    const problem = httpPath(s);
    if (problem) return problem;
    const sequence = INVALID_PATH_SEQUENCES.find((q) => s.includes(q));
    if (sequence) return `the API server refuses '${sequence}' in an Ingress or HTTPRoute path`;
    const suffix = INVALID_PATH_SUFFIXES.find((q) => s.endsWith(q));
    return suffix ? `the API server refuses an Ingress or HTTPRoute path ending in '${suffix}'` : undefined;
}

/** A Pulumi configuration key in the project namespace, such as `brokerApiKey`. */
export function configKey(s: string): string | undefined {
    return /^[A-Za-z][A-Za-z0-9_-]*$/.test(s) ? undefined : "letters, digits, '_' and '-' only, starting with a letter";
}

// An optional registry host, then '/'-separated lowercase path components (Docker's grammar).
const REPO_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const IMAGE_REPOSITORY = new RegExp(`^(?:[A-Za-z0-9.-]+(?::[0-9]+)?/)?${REPO_COMPONENT}(?:/${REPO_COMPONENT})*$`);

/** A container image repository without tag or digest: `ghcr.io/acme/api`, `nginx`. */
export function imageRepository(s: string): string | undefined {
    return IMAGE_REPOSITORY.test(s) ? undefined : "a repository such as 'ghcr.io/acme/api' with no tag or digest";
}

/** A Docker image tag, as Docker spells one. Whether `latest` may be run is the stack's call (config/resolve/mutableTags.ts). */
export function imageTag(s: string): string | undefined {
    return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(s) ? undefined : "letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'";
}

/**
 * An absolute http(s) URL, for telemetry endpoints. It lands in a ConfigMap, so it may carry no
 * credentials; whitespace and control characters (which the URL parser would silently drop)
 * are refused.
 */
export function httpUrl(s: string): string | undefined {
    let u: URL;
    try {
        u = new URL(s);
    } catch {
        return "not a URL";
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
        return "must be http:// or https://";
    }
    if (/[\s\p{Cc}]/u.test(s)) {
        return "no spaces or control characters";
    }
    return u.username === "" && u.password === "" ? undefined : "no user or password in the URL: it is stored in a ConfigMap; use a secret";
}

/** A CORS origin: `https://app.example.com` (scheme, host, optional port; no path). */
export function corsOrigin(s: string): string | undefined {
    if (s.includes("*")) {
        return "wildcards are not allowed; list each origin";
    }
    const m = /^(https?):\/\/([^/:]+)(:[0-9]{1,5})?(.*)$/.exec(s);
    if (!m) {
        return "an origin is a scheme (http or https), '://' and a host";
    }
    if (m[4] !== "") {
        return "an origin has no path, query or trailing '/'";
    }
    if (m[3] !== undefined && !(Number(m[3].slice(1)) >= 1 && Number(m[3].slice(1)) <= 65535)) {
        return "the port must be from 1 to 65535";
    }
    return hostName(m[2]) === undefined || m[2] === "localhost" ? undefined : "the host is not a valid host name";
}

/** A Kubernetes label value: at most 63 characters, alphanumeric at both ends. */
export function labelValue(s: string): string | undefined {
    return s.length <= 63 && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(s)
        ? undefined
        : "at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
}

/** Whether a resource request exceeds its limit; both must be valid quantities. */
export function requestExceedsLimit(request: string, limit: string): string | undefined {
    return quantityValue(request) > quantityValue(limit)
        ? `request ${JSON.stringify(request)} is greater than the limit ${JSON.stringify(limit)}; a request must not exceed its limit`
        : undefined;
}

/** An image digest, `sha256:` and 64 lowercase hex digits. */
export function imageDigest(s: string): string | undefined {
    return /^sha256:[0-9a-f]{64}$/.test(s) ? undefined : "'sha256:' followed by 64 lowercase hex digits";
}

/** A registry host with an optional port: `ghcr.io`, `registry.example.com:5000`, `docker.io`. */
export function registryServer(s: string): string | undefined {
    const [host, port, ...rest] = s.split(":");
    if (rest.length > 0 || (port !== undefined && !/^[0-9]{1,5}$/.test(port))) {
        return "a host name with an optional ':port', no scheme or path";
    }
    return host === "localhost" || hostName(host) === undefined ? undefined : "a host name with an optional ':port', no scheme or path";
}

/**
 * A registry user name. It goes into the pull Secret's basic-auth `user:password`, so it has no
 * ':' and no whitespace or control characters.
 */
export function registryUsername(s: string): string | undefined {
    return /^[^\s:\p{Cc}]+$/u.test(s) ? undefined : "no ':', spaces or control characters";
}

/** A relative path inside the repository (build contexts, Dockerfiles). */
export function relativePath(s: string): string | undefined {
    if (s.startsWith("/") || s.split("/").includes("..")) {
        return "a path relative to the project folder, without '..'";
    }
    return /^[A-Za-z0-9._\-/]+$/.test(s) ? undefined : "letters, digits, '.', '_', '-' and '/' only";
}

/** A DNS-1123 subdomain, as Kubernetes requires for ConfigMap, Secret and claim names. */
export function dnsSubdomain(s: string): string | undefined {
    if (s.length > 253) {
        return `${s.length} characters, at most 253 allowed`;
    }
    return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(s) ? undefined : "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit";
}

/** An absolute path in a container where a volume is mounted. */
export function mountPath(s: string): string | undefined {
    if (!/^\/[A-Za-z0-9._\-/]*$/.test(s)) return "an absolute path of letters, digits, '.', '_', '-' and '/'";
    if (s.split("/").some((p) => p === ".." || p === ".")) return "no '.' or '..' segments";
    return s === "/" ? "not the root directory" : undefined;
}

/** A file name in a ConfigMap volume (a ConfigMap key). */
export function fileName(s: string): string | undefined {
    if (s === "." || s === "..") return "not '.' or '..'";
    return s.length <= 253 && /^[-._a-zA-Z0-9]+$/.test(s) ? undefined : "letters, digits, '-', '_' and '.' only, at most 253";
}

/** A full image reference: `[registry/]repository[:tag][@sha256:digest]`; a tag or a digest is required. */
export function imageReference(s: string): string | undefined {
    const m = imageParts(s);
    if (!m || imageRepository(m.repository) !== undefined) return "a repository with a tag and/or a digest, such as 'busybox:1.36'";
    if (m.tag === undefined && m.digest === undefined) return "no tag or digest, which means 'latest'; name a version";
    return m.tag !== undefined ? imageTag(m.tag) : undefined;
}

/** The parts of an image reference (`repository[:tag][@digest]`), unchecked; undefined when it has not that shape. */
export function imageParts(s: string): { repository: string; tag?: string; digest?: string } | undefined {
    const m = /^([^@]+?)(?::([^:/@]+))?(?:@(sha256:[0-9a-f]{64}))?$/.exec(s);
    return m ? { repository: m[1], ...(m[2] !== undefined ? { tag: m[2] } : {}), ...(m[3] !== undefined ? { digest: m[3] } : {}) } : undefined;
}

/**
 * A cron schedule as Kubernetes reads it: five fields (minute, hour, day of month, month, day
 * of week) or a macro such as `@daily`. Time zones go in `timeZone`, not in the schedule.
 */
export function cronSchedule(s: string): string | undefined {
    if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(s)) return undefined;
    if (/TZ=/.test(s)) return "set the time zone with 'timeZone', not in the schedule";
    const fields = s.trim().split(/\s+/);
    if (fields.length !== 5) return `${fields.length} fields; a schedule has 5 (minute hour day-of-month month day-of-week) or is a macro such as '@daily'`;
    const names = [/^$/, /^$/, /^$/, /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)$/i, /^(sun|mon|tue|wed|thu|fri|sat)$/i];
    const ranges: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
    const labels = ["minute", "hour", "day of month", "month", "day of week"];
    for (let i = 0; i < 5; i++) {
        const [lo, hi] = ranges[i];
        const value = (v: string) => (names[i].test(v) ? lo : /^\d+$/.test(v) ? Number(v) : NaN);
        for (const part of fields[i].split(",")) {
            const [range, step] = part.split("/");
            if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return `the ${labels[i]} field '${fields[i]}' has a bad step`;
            if (range === "*" || range === "?") continue;
            const ends = range.split("-").map(value);
            if (ends.length > 2 || ends.some((n) => !(n >= lo && n <= hi))) return `the ${labels[i]} field '${fields[i]}' is not within ${lo}-${hi}`;
        }
    }
    return undefined;
}

/** An IANA time zone name such as `Europe/London` (or a link such as `US/Eastern`), as a CronJob's `timeZone` takes it. */
export function timeZone(s: string): string | undefined {
    const problem = "an IANA time zone name such as 'Etc/UTC' or 'Europe/London'";
    // Offsets ("+01:00") and abbreviations ("EST") are not names Kubernetes looks up.
    if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(s) || (!s.includes("/") && s !== "UTC")) return problem;
    let known = timeZones.get(s);
    if (known === undefined) {
        try {
            new Intl.DateTimeFormat("en", { timeZone: s });
            known = true;
        } catch {
            known = false;
        }
        timeZones.set(s, known);
    }
    return known ? undefined : problem;
}

/** Names the runtime's time-zone database was asked about, and its answer (a formatter is slow to build). */
const timeZones = new Map<string, boolean>();

/** A reason written for the record (why a rule or an exception is needed): at least 10 characters that say something. */
export function reason(s: string): string | undefined {
    return s.trim().length >= 10 ? undefined : "say why in at least 10 characters";
}

/** A Kubernetes label key: an optional DNS subdomain prefix and '/', then a name of at most 63. */
export function labelKey(s: string): string | undefined {
    const slash = s.lastIndexOf("/");
    const prefix = slash >= 0 ? s.slice(0, slash) : undefined;
    const name = s.slice(slash + 1);
    if (prefix !== undefined && dnsSubdomain(prefix) !== undefined) return "the prefix before '/' must be a DNS subdomain";
    return name.length > 0 && name.length <= 63 && /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(name) ? undefined : "a name of at most 63 letters, digits, '-', '_' or '.'";
}

/** A port name (IANA service name, as Kubernetes checks it): at most 15 of a-z, 0-9 and '-', with a letter, no '--', not at either end. */
export function portName(s: string): string | undefined {
    return s.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s) && /[a-z]/.test(s) && !s.includes("--") ? undefined : "at most 15 lowercase letters, digits and '-', with at least one letter, no '--', not starting or ending with '-'";
}

/** A Pulumi stack name: `staging`, or qualified `acme/hft-platform/staging` (letters, digits, `-`, `_`, `.`). */
export function stackName(s: string): string | undefined {
    const parts = s.split("/");
    if (parts.length !== 1 && parts.length !== 3) {
        return "a stack name ('staging') or an organization-qualified one ('acme/hft-platform/staging')";
    }
    return parts.every((p) => /^[A-Za-z0-9_.-]{1,100}$/.test(p)) ? undefined : "letters, digits, '-', '_' and '.' only in each part";
}

/** When an update released its images: a UTC time such as `2026-11-30T15:04:05Z`. */
export function releaseTime(s: string): string | undefined {
    return /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$/.test(s) && !Number.isNaN(Date.parse(s)) ? undefined : "a UTC time such as '2026-11-30T15:04:05Z'";
}

/** The shortest and longest soak a stack can ask for (`environment.promotion.soak`), in seconds. */
export const SOAK_LIMITS = { min: 60, max: 30 * 86400 } as const;

const DURATION_UNITS: Readonly<Record<string, number>> = { d: 86400, h: 3600, m: 60, s: 1 };

/** The units a duration is written in: days, hours and minutes (a soak), or hours, minutes and seconds (a canary's window). */
export type DurationUnits = "dhm" | "hms";

/** The pattern of a duration in `units` (for the JSON Schema), such as `1h30m`. */
export const durationPattern = (units: DurationUnits) => new RegExp(`^([0-9]{1,6}[${units}])+$`);

/** A duration such as `24h`, `90m`, `2d` or `1d12h` (`units` "hms": `30s`, `1h30m`), in seconds; undefined when it is not one. */
export function durationSeconds(s: string, units: DurationUnits = "dhm"): number | undefined {
    if (!durationPattern(units).test(s)) return undefined;
    return [...s.matchAll(/([0-9]+)([a-z])/g)].reduce((sum, [, n, unit]) => sum + Number(n) * DURATION_UNITS[unit], 0);
}

/** The shortest and longest a canary step's window or check interval may be, in seconds. */
export const CANARY_DURATION_LIMITS = { min: 1, max: 86400 } as const;

/** A canary step's window or the interval of its checks: a duration from one second to 24 hours. */
export function canaryDuration(s: string): string | undefined {
    const seconds = durationSeconds(s, "hms");
    if (seconds === undefined) return "a number and a unit, h, m or s, such as '30s', '5m', '1h' or '1h30m'";
    return seconds >= CANARY_DURATION_LIMITS.min && seconds <= CANARY_DURATION_LIMITS.max ? undefined : "from 1s to 24h";
}

/** A soak time: a duration from one minute to 30 days. */
export function soakDuration(s: string): string | undefined {
    const seconds = durationSeconds(s);
    if (seconds === undefined) return "a number and a unit, d, h or m, such as '24h', '90m', '2d' or '1d12h'";
    return seconds >= SOAK_LIMITS.min && seconds <= SOAK_LIMITS.max ? undefined : "from 1m to 30d (a service that must not wait takes a promotion.exceptions entry instead)";
}

/** A schedule as GitHub Actions takes it: five cron fields, in UTC (no macro such as '@daily'). */
export function githubSchedule(s: string): string | undefined {
    if (s.startsWith("@")) return "five cron fields (minute hour day-of-month month day-of-week); GitHub takes no macro such as '@daily'";
    return cronSchedule(s);
}
