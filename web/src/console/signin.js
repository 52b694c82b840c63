// Sign-in: OIDC authorization code with PKCE when deployed; a development token on the local stack only.
import { h } from "../shared/format.js";

const TOKEN = "console.token";
const PKCE = "console.pkce";
export const SCOPES = ["invoices:read", "invoices:write", "lender:operate", "credit-rights:read", "credit-rights:write", "webhooks:manage"];

function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function currentToken() {
  return sessionStorage.getItem(TOKEN);
}

export function signOut() {
  sessionStorage.removeItem(TOKEN);
}

/** The token's claims, for display only: the API verifies the token, the page never trusts these. */
export function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload));
  } catch {
    return {};
  }
}

async function discover(issuer) {
  const reply = await fetch(`${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`);
  if (!reply.ok) throw new Error("The identity provider could not be reached");
  return reply.json();
}

async function startAuthorization(oidc) {
  const provider = await discover(oidc.issuer);
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem(PKCE, JSON.stringify({ verifier, state, token_endpoint: provider.token_endpoint }));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: oidc.client_id,
    redirect_uri: `${location.origin}${location.pathname}`,
    scope: oidc.scope || "openid",
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: "S256",
    state,
  });
  location.assign(`${provider.authorization_endpoint}?${query}`);
}

/** Back from the identity provider with ?code=&state=: the code and the verifier buy the access token. */
export async function finishAuthorization(oidc) {
  const query = new URLSearchParams(location.search);
  if (!oidc || !query.has("code")) return false;
  const pending = JSON.parse(sessionStorage.getItem(PKCE) || "null");
  sessionStorage.removeItem(PKCE);
  history.replaceState(null, "", location.pathname);
  if (!pending || pending.state !== query.get("state")) throw new Error("The sign-in answer did not match: sign in again");
  const reply = await fetch(pending.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: query.get("code"),
      redirect_uri: `${location.origin}${location.pathname}`,
      client_id: oidc.client_id,
      code_verifier: pending.verifier,
    }),
  });
  if (!reply.ok) throw new Error("The identity provider refused the sign-in: sign in again");
  sessionStorage.setItem(TOKEN, (await reply.json()).access_token);
  return true;
}

async function localSignIn(form) {
  const data = new FormData(form);
  const reply = await fetch("/_local/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ tenant: data.get("tenant"), scopes: data.getAll("scope") }),
  });
  const body = await reply.json().catch(() => ({}));
  if (!reply.ok) throw new Error(body.message || "The development token could not be minted");
  sessionStorage.setItem(TOKEN, body.token);
}

/** The sign-in screen for the configured mode; `done` runs once a token is held. */
export function signInView(config, done, fail) {
  if (config.sign_in === "local") {
    const form = h("form", { class: "local-only", "aria-labelledby": "signin-title" },
      h("h2", { id: "signin-title" }, "Local development sign-in"),
      h("p", {}, "Local only: this mints a development token signed with the local stack's development secret. "
        + "A deployed console signs in with your identity provider instead."),
      h("label", {}, "Tenant ", h("input", { name: "tenant", required: true, value: "acme", autocomplete: "off" })),
      h("fieldset", {}, h("legend", {}, "Scopes"),
        SCOPES.map((scope) => h("label", {}, h("input", { type: "checkbox", name: "scope", value: scope, checked: true }), ` ${scope}`))),
      h("button", { type: "submit" }, "Sign in (local development)"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      localSignIn(form).then(done, fail);
    });
    return form;
  }
  return h("section", { "aria-labelledby": "signin-title" },
    h("h2", { id: "signin-title" }, "Sign in"),
    h("button", { type: "button", onclick: () => startAuthorization(config.oidc).catch(fail) }, "Sign in with your identity provider"));
}
