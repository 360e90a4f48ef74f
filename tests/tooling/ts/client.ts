// A small openapi-fetch client of the mock, on the types openapi-typescript generated from
// the mock's own /openapi.json (written next to this file by the test as schema.ts: a
// source file, so skipLibCheck, which skips node_modules' .d.ts files, still checks it).
// `tsc --strict` is half of the test: the assertions below are checked at compile time.
// Run with MOCK_ORIGIN, API_KEY, ORG_ID, FOREIGN_ORG_ID; prints one JSON line per call.
import createClient from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

// The one Node global used (no @types/node needed: DOM's lib types fetch and console).
declare const process: { env: Record<string, string | undefined> };

type Responses = operations["getApiKeyUsageSummary"]["responses"];
type Body<S extends keyof Responses> = Responses[S]["content"]["application/json"];
type Summary = components["schemas"]["ApiKeyUsageSummary"];
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2
  ? true
  : false;
function typeIs<T extends true>(): T | undefined {
  return undefined;
}

// The summary keeps the document's mixed casing, with numbers where it has numbers.
typeIs<Equal<Summary["organization_id"], string>>();
typeIs<Equal<Summary["totalApiKeyRequests"], number>>();
typeIs<Equal<Summary["totalApiKeyCost"], number>>();
typeIs<Equal<Summary["total_synapses"], number>>();
typeIs<Equal<Summary["generatedAt"], string>>();
// @ts-expect-error the all-snake_case drift of a later page is not the contract
typeIs<Equal<Summary["total_api_key_requests"], number>>();

// Each error status has its own envelope, narrowed to its code, type and status.
typeIs<Equal<Body<400>["error"]["code"], "INVALID_REQUEST">>();
typeIs<Equal<Body<400>["error"]["type"], "validation_error">>();
typeIs<Equal<Body<400>["error"]["status"], 400>>();
typeIs<Equal<Body<401>["error"]["code"], "AUTHENTICATION_REQUIRED">>();
typeIs<Equal<Body<403>["error"]["code"], "ORGANIZATION_ACCESS_DENIED">>();
typeIs<Equal<Body<429>["error"]["code"], "RATE_LIMIT_EXCEEDED">>();
typeIs<Equal<Body<500>["error"]["code"], "INTERNAL_ERROR">>();
typeIs<Equal<Body<500>["error"]["type"], "server_error">>();
typeIs<Equal<Body<404>["error"]["code"], "NOT_FOUND">>();
typeIs<Equal<Body<405>["error"]["code"], "METHOD_NOT_ALLOWED">>();
typeIs<Equal<Body<414>["error"]["code"], "URI_TOO_LONG">>();
typeIs<Equal<Body<431>["error"]["code"], "REQUEST_HEADERS_TOO_LARGE">>();
typeIs<Equal<Body<"default">["error"]["code"], string>>();
typeIs<Equal<Body<400>["success"], false>>();
// @ts-expect-error a 400's code is not the 401's
const wrongCode: Body<400>["error"]["code"] = "AUTHENTICATION_REQUIRED";
void wrongCode;
// Every row declares the X-Request-ID header the mock sends.
typeIs<Equal<Responses[200]["headers"]["X-Request-ID"], string>>();
typeIs<Equal<Responses[431]["headers"]["X-Request-ID"], string>>();

// openapi-fetch's error is the union of the error bodies; each is one of them.
type ErrorBody = Body<Exclude<keyof Responses, 200>>;

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};
const origin = env("MOCK_ORIGIN");
const key = env("API_KEY");
const org = env("ORG_ID");
const api = createClient<paths>({ baseUrl: `${origin}/v1` });
const noPrefix = createClient<paths>({ baseUrl: origin }); // a base URL without /v1
const route = "/analytics/api-keys/summary/{org_id}";

interface Call {
  client?: typeof api;
  org?: string;
  query?: NonNullable<operations["getApiKeyUsageSummary"]["parameters"]["query"]>;
  headers?: Record<string, string>;
}

async function call(name: string, c: Call): Promise<void> {
  const { data, error, response } = await (c.client ?? api).GET(route, {
    params: { path: { org_id: c.org ?? org }, query: c.query ?? { year: 2025, month: 11 } },
    headers: c.headers ?? { "X-API-Key": key },
  });
  const requestId = response.headers.get("X-Request-ID");
  if (data !== undefined) {
    const summary: Summary = data;
    const total: number = summary.totalApiKeyRequests;
    console.log(JSON.stringify({ name, status: response.status, requestId, total, body: summary }));
  } else {
    const body: ErrorBody = error;
    const code: string = body.error.code;
    console.log(JSON.stringify({ name, status: response.status, requestId, code, body }));
  }
}

await call("200", {});
await call("400", { query: { year: 2025, month: 13 } });
await call("401", { headers: {} });
await call("403", { org: env("FOREIGN_ORG_ID") });
await call("429", { headers: { "X-API-Key": key, Prefer: "code=429" } });
await call("500", { headers: { "X-API-Key": key, Prefer: "code=500" } });
await call("404", { client: noPrefix });
await call("414", { org: "o".repeat(9000) });
await call("431", { headers: { "X-API-Key": key, "X-Big": "b".repeat(9000) } });
