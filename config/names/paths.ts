/**
 * The requests a routed path matches, as one string: two paths with the same one route the same
 * requests. A prefix matches path element by element, so a trailing `/` changes nothing (`/api/`
 * and `/api` match `/api`, `/api/` and `/api/x`: Kubernetes' Ingress `Prefix` and Gateway API's
 * `PathPrefix` alike); an exact path matches itself only.
 */
export function matchedRequests(path: string, pathType: "Prefix" | "Exact"): string {
    if (pathType === "Exact") return `= ${path}`;
    const trimmed = path.replace(/\/+$/, "");
    return `${trimmed === "" ? "/" : trimmed} and below`;
}
