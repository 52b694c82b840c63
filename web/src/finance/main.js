// The supplier's hosted financing page: what a connect token (and a session token) open, and nothing else.
import { apiClient, loadConfig } from "../shared/api.js";
import { basisPoints, facts, h, minorUnits, showMessage, text, words } from "../shared/format.js";

const STORE = "finance.tokens";
const page = document.getElementById("page");
const messages = document.getElementById("messages");

/** Tokens arrive in the link; they are kept for this tab only and taken out of the address bar at once. */
function takeTokens() {
  const query = new URLSearchParams(location.search);
  if (query.has("connect_token")) {
    const tokens = { connect: query.get("connect_token"), session: query.get("session_token") };
    sessionStorage.setItem(STORE, JSON.stringify(tokens));
    history.replaceState(null, "", location.pathname);
    return tokens;
  }
  return JSON.parse(sessionStorage.getItem(STORE) || "null");
}

function offerSection(body) {
  const offer = (body.offers || []).find((o) => o.status === "CURRENT");
  if (!offer) {
    return h("section", { "aria-labelledby": "offer-title" },
      h("h2", { id: "offer-title" }, "Your offer"),
      h("p", {}, "No financing offer yet: your lender has not opened a credit line for you."));
  }
  const plans = h("table", {},
    h("caption", {}, "Pricing plans"),
    h("thead", {}, h("tr", {},
      h("th", { scope: "col" }, "Advance rate"), h("th", { scope: "col" }, "Fee"),
      h("th", { scope: "col" }, "Repayment"), h("th", { scope: "col" }, "Days"))),
    h("tbody", {}, offer.pricing_plans.map((plan) => h("tr", {},
      h("td", {}, basisPoints(plan.advance_rate_percentage)), h("td", {}, basisPoints(plan.fee_percentage)),
      h("td", {}, words(plan.repayment_type).toLowerCase()), h("td", {}, text(plan.repayment_duration_days))))));
  return h("section", { "aria-labelledby": "offer-title" },
    h("h2", { id: "offer-title" }, "Your offer"),
    facts([
      ["Business status", words(body.business_status).toLowerCase()],
      ["Credit line", minorUnits(offer.total_amount, offer.currency)],
      ["Available now", minorUnits(offer.available_amount, offer.currency)],
    ]),
    plans);
}

function sessionSection(session, refresh) {
  const rows = session.invoices.map((invoice) => h("tr", { "data-invoice": invoice.invoice_id },
    h("th", { scope: "row" }, text(invoice.description || invoice.invoice_id)),
    h("td", {}, text(invoice.payer_business_name)),
    h("td", { class: "amount" }, minorUnits(invoice.total_amount, invoice.currency)),
    h("td", { class: "amount" }, minorUnits(invoice.advance_amount, invoice.currency)),
    h("td", { class: "amount" }, minorUnits(invoice.fee_amount, invoice.currency)),
    h("td", { class: "amount" }, minorUnits(invoice.repayment_amount, invoice.currency)),
    h("td", {}, text((invoice.repayment_schedule || {}).repayment_date || invoice.due_date)),
    h("td", {}, h("span", { class: "badge" }, words(invoice.status).toLowerCase()))));
  return h("section", { "aria-labelledby": "session-title" },
    h("h2", { id: "session-title" }, "Invoices sent for financing"),
    facts([["Request", session.id], ["Status", words(session.status).toLowerCase()], ["Sent", text(session.created)]]),
    h("table", {},
      h("caption", {}, "What you receive and repay, per invoice"),
      h("thead", {}, h("tr", {}, ["Invoice", "Buyer", "Amount", "Advance", "Fee", "Repayment", "Repay by", "Status"]
        .map((label) => h("th", { scope: "col", class: ["Amount", "Advance", "Fee", "Repayment"].includes(label) ? "amount" : null }, label)))),
      h("tbody", {}, rows)),
    h("div", { class: "actions" }, h("button", { type: "button", onclick: refresh }, "Refresh status")));
}

async function show(config, tokens) {
  const call = apiClient(config.api_url, () => `Bearer ${tokens.connect}`);
  const headers = tokens.session ? { "x-financing-session": tokens.session } : {};
  const render = async () => {
    try {
      const body = await call("GET", "/v1/financing_connect", undefined, headers);
      const parts = [offerSection(body)];
      if (body.session) parts.push(sessionSection(body.session, render));
      parts.push(h("p", {}, `This link works until ${body.expires_at}.`));
      page.replaceChildren(messages, ...parts);
      showMessage(messages, "");
    } catch (error) {
      page.replaceChildren(messages);
      showMessage(messages, error.status === 401
        ? "This financing link is not valid or has expired. Ask for a new link."
        : error.message);
    }
  };
  await render();
}

async function start() {
  const tokens = takeTokens();
  if (!tokens || !tokens.connect) {
    showMessage(messages, "Open this page from the financing link you were given (it carries your access).");
    return;
  }
  try {
    await show(await loadConfig(), tokens);
  } catch (error) {
    showMessage(messages, error.message);
  }
}

start();
