// The public GraphQL API, and who is calling it: the signed-in customer (a session token)
// or the operator (an API key; in demo mode no key is needed).

// The app lives at /app/, the API beside it at /graphql.
const ENDPOINT = new URL("../graphql", document.baseURI).href;
const SESSION = "planswitch.session";
const OPERATOR_KEY = "planswitch.operatorKey";

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

export const session = {
  get() {
    try {
      return JSON.parse(sessionStorage.getItem(SESSION) || "null");
    } catch {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(SESSION, JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem(SESSION);
  },
};

export const operatorKey = {
  get: () => sessionStorage.getItem(OPERATOR_KEY) || "",
  set: (key) => (key ? sessionStorage.setItem(OPERATOR_KEY, key) : sessionStorage.removeItem(OPERATOR_KEY)),
};

/** POST a GraphQL document; `as` is "customer" (default), "operator" or "anonymous". */
export async function gql(query, variables = {}, { as = "customer" } = {}) {
  const headers = { "content-type": "application/json" };
  const token = { operator: operatorKey.get(), customer: session.get()?.token }[as];
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError("network", "NETWORK");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.status === 401) throw new ApiError(body?.errors?.[0]?.message || "unauthorized", "UNAUTHENTICATED");
  if (!body || (!body.data && body.errors)) {
    const error = body?.errors?.[0];
    throw new ApiError(error?.message || `HTTP ${response.status}`, error?.extensions?.code || "SERVER");
  }
  if (body.errors?.length) {
    const error = body.errors[0];
    throw new ApiError(error.message, error.extensions?.code || "SERVER");
  }
  return body.data;
}

/** A fresh idempotency key for one intended change (kept across retries of that change). */
export function idempotencyKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
