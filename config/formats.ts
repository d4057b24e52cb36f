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

/** An HTTP path for probes and ingress rules. */
export function httpPath(s: string): string | undefined {
    return /^\/[A-Za-z0-9\-._~/%]*$/.test(s) ? undefined : "must start with '/' and contain only URL path characters";
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

/** A Docker image tag. `latest` is refused: a deploy must say which build it runs. */
export function imageTag(s: string): string | undefined {
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(s)) {
        return "letters, digits, '_', '.' and '-', at most 128, not starting with '.' or '-'";
    }
    return s === "latest" ? "'latest' is mutable; name a build" : undefined;
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
