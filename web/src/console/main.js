// The lender's console: sign in, then the invoice queue, buyer limits and the portfolio, through the API only.
import { apiClient, loadConfig } from "../shared/api.js";
import { h, showMessage } from "../shared/format.js";
import { invoiceQueue } from "./invoices.js";
import { buyerLimits } from "./limits.js";
import { creditLine, receivables, webhooks } from "./operations.js";
import { portfolio } from "./portfolio.js";
import { claimsOf, currentToken, finishAuthorization, signInView, signOut } from "./signin.js";

const nav = document.getElementById("nav");
const who = document.getElementById("who");
const view = document.getElementById("view");
const messages = document.getElementById("messages");

const SECTIONS = [["invoices", "Invoices", invoiceQueue], ["limits", "Buyer limits", buyerLimits],
  ["portfolio", "Portfolio", portfolio], ["line", "Credit line", creditLine], ["receivables", "Receivables", receivables],
  ["webhooks", "Webhooks", webhooks]];

function signedIn(config) {
  const api = apiClient(config.api_url, () => `Bearer ${currentToken()}`);
  const claims = claimsOf(currentToken());
  who.textContent = `Tenant ${claims.tenant_id || "?"}`;
  const open = (name) => {
    showMessage(messages, "");
    for (const button of nav.querySelectorAll("button[data-section]")) {
      button.setAttribute("aria-current", button.dataset.section === name ? "page" : "false");
    }
    // A fresh area per visit: an answer that arrives after the user moved on lands in a detached area.
    const area = h("div", {});
    view.replaceChildren(area);
    SECTIONS.find(([key]) => key === name)[2](api, area, messages);
  };
  nav.replaceChildren(
    ...SECTIONS.map(([key, label]) => h("button", { type: "button", "data-section": key, onclick: () => open(key) }, label)),
    h("button", { type: "button", onclick: () => { signOut(); location.reload(); } }, "Sign out"));
  open("invoices");
}

async function start() {
  let config;
  try {
    config = await loadConfig();
    await finishAuthorization(config.oidc);
  } catch (error) {
    showMessage(messages, error.message);
    return;
  }
  if (currentToken()) return signedIn(config);
  view.replaceChildren(signInView(config, () => signedIn(config), (error) => showMessage(messages, error.message)));
}

start();
