// A typed fetch wrapper over the generated `paths` (no runtime dependencies), and two calls:
// an agency's work queue (GET /v1/referrals?state=forwarded) and acknowledging a referral.
import type { components, paths } from "./api";

type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];
type Method = "get" | "post" | "put" | "patch" | "delete";

// The JSON body of an operation's 200 or 201 response, and of its request.
type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
type Success<Op> = Op extends { responses: infer R }
  ? (R extends { 200: infer A } ? Json<A> : never) | (R extends { 201: infer C } ? Json<C> : never)
  : never;
type RequestBody<Op> = Op extends { requestBody?: infer B } ? Json<NonNullable<B>> : never;
type PathParams<Op> = Op extends { parameters: { path?: infer P } } ? P : never;
type QueryParams<Op> = Op extends { parameters: { query?: infer Q } } ? Q : never;

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`);
  }
}

export async function call<P extends keyof paths, M extends Method & keyof paths[P]>(
  baseUrl: string,
  apiKey: string,
  method: M,
  path: P,
  options: {
    path?: PathParams<paths[P][M]>;
    query?: QueryParams<paths[P][M]>;
    body?: RequestBody<paths[P][M]>;
    headers?: Record<string, string>;
  } = {},
): Promise<Success<paths[P][M]>> {
  let url = String(path);
  for (const [name, value] of Object.entries((options.path ?? {}) as Record<string, string>)) {
    url = url.replace(`{${name}}`, encodeURIComponent(value));
  }
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries((options.query ?? {}) as Record<string, unknown>)) {
    if (value !== undefined && value !== null) query.set(name, String(value));
  }
  const response = await fetch(`${baseUrl}${url}${query.size ? `?${query}` : ""}`, {
    method: method.toUpperCase(),
    headers: {
      Authorization: `Bearer ${apiKey}`,
      ...(options.body !== undefined ? { "Content-Type": "application/json" } : {}),
      ...options.headers,
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  if (!response.ok) throw new ApiError((await response.json()) as Problem);
  return (await response.json()) as Success<paths[P][M]>;
}

// An agency system: fetch its work queue and acknowledge what is new, recording its own id.
export async function acknowledgeNewReferrals(baseUrl: string, agencyKey: string): Promise<string[]> {
  const page = await call(baseUrl, agencyKey, "get", "/v1/referrals", { query: { state: "forwarded", limit: 50 } });
  const acknowledged: string[] = [];
  for (const referral of page.items) {
    if (referral.acknowledged_at !== null) continue;
    const updated: Schemas["ReferralOut"] = await call(baseUrl, agencyKey, "post", "/v1/referrals/{referral_id}/acknowledge", {
      path: { referral_id: referral.id },
      body: { external_ref: `SMD-${referral.complaint.reference}` },
      headers: { "Idempotency-Key": `ack-${referral.id}` },
    });
    acknowledged.push(`${updated.complaint.reference} due ${updated.due_at ?? "-"}`);
  }
  return acknowledged;
}
