import * as http from "http";
import { AddressInfo } from "net";

/** What the fake answers a query: a value (a vector of one sample), no data, or a raw HTTP answer. */
export type FakeValue = number | "NaN" | "no data" | { readonly status: number; readonly body: string };

export interface FakePrometheus {
    /** `http://127.0.0.1:<port>`. */
    readonly url: string;
    /** The PromQL queries asked so far, oldest first. */
    readonly queries: string[];
    close(): Promise<void>;
}

/**
 * Prometheus's HTTP API as the release driver asks it (`GET /api/v1/query?query=...`), on
 * localhost, answering each query with `answer(query)` in Prometheus's own JSON shape.
 */
export async function startFakePrometheus(answer: (query: string) => FakeValue): Promise<FakePrometheus> {
    const queries: string[] = [];
    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://localhost");
        if (url.pathname !== "/api/v1/query") {
            res.writeHead(404).end("404 page not found\n");
            return;
        }
        const query = url.searchParams.get("query") ?? "";
        queries.push(query);
        const value = answer(query);
        if (typeof value === "object") {
            res.writeHead(value.status, { "Content-Type": "application/json" }).end(value.body);
            return;
        }
        const result = value === "no data" ? [] : [{ metric: {}, value: [Date.now() / 1000, String(value)] }];
        res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify({ status: "success", data: { resultType: "vector", result } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, queries, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
