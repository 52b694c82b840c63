// One way to call the API: the token, the JSON, and errors turned into plain words with the correlation id.

export class ApiError extends Error {
  constructor(status, message, correlationId) {
    super(message);
    this.status = status;
    this.correlationId = correlationId;
  }
}

const BY_STATUS = {
  400: "The request was not accepted",
  401: "Your sign-in is missing, expired or not valid: sign in again",
  403: "Your sign-in does not allow this",
  404: "Not found (it does not exist, or it is not yours)",
  409: "Not possible now",
  422: "Some values are not accepted",
  429: "Too many requests: wait a moment and try again",
};

function detailWords(detail) {
  if (typeof detail === "string") return detail;
  if (!detail || typeof detail !== "object") return "";
  const where = Array.isArray(detail.loc) ? detail.loc.filter((p) => p !== "body").join(".") : detail.field;
  const what = detail.msg || detail.message || detail.reason || "";
  return where ? `${where}: ${what}` : what;
}

/** The API's error body (core, Monite, Pismo or gateway envelope) in one sentence. */
export function plainWords(status, body) {
  const parts = [BY_STATUS[status] || `The server answered ${status}`];
  const error = body && typeof body.error === "object" ? body.error : null;
  if (error && error.message) parts.push(error.message);
  if (error && Array.isArray(error.details)) parts.push(...error.details.map(detailWords).filter(Boolean));
  if (body && Array.isArray(body.detail)) parts.push(...body.detail.map(detailWords).filter(Boolean));
  if (body && Array.isArray(body.errors)) parts.push(...body.errors.map(detailWords).filter(Boolean));
  if (body && !error && typeof body.message === "string") parts.push(body.message);
  return parts.join(". ").replace(/\.\./g, ".");
}

export function newIdempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A client bound to an API base URL and a way to get the current bearer token. */
export function apiClient(baseUrl, authorization) {
  return async function call(method, path, body, headers = {}) {
    const sent = { Accept: "application/json", ...headers };
    const auth = authorization();
    if (auth) sent.Authorization = auth;
    if (body !== undefined) sent["Content-Type"] = "application/json";
    let reply;
    try {
      reply = await fetch(baseUrl + path, {
        method,
        headers: sent,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "The API could not be reached: check your connection and try again", null);
    }
    const text = await reply.text();
    let document = null;
    try {
      document = text ? JSON.parse(text) : null;
    } catch {
      document = null;
    }
    if (!reply.ok) {
      throw new ApiError(reply.status, plainWords(reply.status, document), reply.headers.get("x-correlation-id"));
    }
    return document;
  };
}

/** Where the API is and how to sign in: /web-config.json, written by the local stack or the deployment. */
export async function loadConfig() {
  const reply = await fetch("/web-config.json", { headers: { Accept: "application/json" } });
  if (!reply.ok) throw new Error("web-config.json is missing");
  return reply.json();
}
