/** What Prometheus answered to an instant query: one value per series, or why there is none. */
export type Answer = { readonly values: readonly number[] } | { readonly problem: string };

/**
 * The values of an answer of Prometheus's HTTP API (`/api/v1/query`): `{"status": "success",
 * "data": {"resultType": "vector", "result": [{"metric": {...}, "value": [<time>, "<value>"]}]}}`,
 * or a scalar (`"result": [<time>, "<value>"]`). Values are strings there ("NaN", "+Inf" too).
 */
export function parseAnswer(body: string): Answer {
    let doc: unknown;
    try {
        doc = JSON.parse(body);
    } catch {
        return { problem: "Prometheus did not answer JSON" };
    }
    const answer = doc as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } };
    if (answer.status !== "success") {
        return { problem: `Prometheus refused the query: ${typeof answer.error === "string" ? answer.error : "no error given"}` };
    }
    const { resultType, result } = answer.data ?? {};
    if (resultType === "scalar" && Array.isArray(result)) return { values: [Number(result[1])] };
    if (resultType === "vector" && Array.isArray(result)) {
        return { values: result.map((sample: { value?: unknown[] }) => Number(sample.value?.[1])) };
    }
    return { problem: `Prometheus answered a ${String(resultType)}, not an instant vector or scalar` };
}

/** Asks Prometheus at `url` (`http://prometheus.example:9090`) an instant query; never throws: an unreachable Prometheus is an answer too. */
export async function query(url: string, promql: string, timeoutMs = 10000): Promise<Answer> {
    const endpoint = `${url.replace(/\/+$/, "")}/api/v1/query?${new URLSearchParams({ query: promql }).toString()}`;
    try {
        const response = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) });
        const body = await response.text();
        // Prometheus answers a bad query with 400 and a JSON error: parseAnswer says it.
        if (!response.ok && !body.trimStart().startsWith("{")) return { problem: `Prometheus answered HTTP ${response.status}` };
        return parseAnswer(body);
    } catch (e) {
        const cause = (e as { cause?: { code?: string } }).cause?.code;
        return { problem: `Prometheus at ${url} is unreachable (${cause ?? (e as Error).message})` };
    }
}
