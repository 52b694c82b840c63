// The supplier's hosted financing page: what a connect token (and a session token) open, and nothing else.
// The business picks draft invoices, reviews the server's quote, confirms, then follows their status.
import { apiClient, loadConfig, newIdempotencyKey } from "../shared/api.js";
import { basisPoints, facts, h, minorUnits, showMessage, text, words } from "../shared/format.js";

const STORE = "finance.tokens";
const page = document.getElementById("page");
const messages = document.getElementById("messages");

/** The connect token and every session token (the link's, then each confirmation's), for this tab only. */
function keepTokens(tokens) {
  sessionStorage.setItem(STORE, JSON.stringify(tokens));
}

/** Tokens arrive in the link; they are kept for this tab only and taken out of the address bar at once. */
function takeTokens() {
  const query = new URLSearchParams(location.search);
  if (query.has("connect_token")) {
    const session = query.get("session_token");
    const tokens = { connect: query.get("connect_token"), sessions: session ? [session] : [] };
    keepTokens(tokens);
    history.replaceState(null, "", location.pathname);
    return tokens;
  }
  const kept = JSON.parse(sessionStorage.getItem(STORE) || "null");
  return kept && { connect: kept.connect, sessions: kept.sessions || (kept.session ? [kept.session] : []) };
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

/** One financing request (a push, or a confirmation here): its invoices with their figures and status. */
function sessionPart(session) {
  const rows = session.invoices.map((invoice) => h("tr", { "data-invoice": invoice.invoice_id },
    h("th", { scope: "row" }, text(invoice.description || invoice.invoice_id)),
    h("td", {}, text(invoice.payer_business_name)),
    h("td", { class: "amount" }, minorUnits(invoice.total_amount, invoice.currency)),
    h("td", { class: "amount" }, minorUnits(invoice.advance_amount, invoice.currency)),
    h("td", { class: "amount" }, minorUnits(invoice.fee_amount, invoice.currency)),
    h("td", { class: "amount" }, minorUnits(invoice.repayment_amount, invoice.currency)),
    h("td", {}, text((invoice.repayment_schedule || {}).repayment_date || invoice.due_date)),
    h("td", {}, h("span", { class: "badge" }, words(invoice.status).toLowerCase()))));
  return [
    facts([["Request", session.id], ["Status", words(session.status).toLowerCase()], ["Sent", text(session.created)]]),
    h("table", { "data-session": session.id },
      h("caption", {}, "What you receive and repay, per invoice"),
      h("thead", {}, h("tr", {}, ["Invoice", "Buyer", "Amount", "Advance", "Fee", "Repayment", "Repay by", "Status"]
        .map((label) => h("th", { scope: "col", class: ["Amount", "Advance", "Fee", "Repayment"].includes(label) ? "amount" : null }, label)))),
      h("tbody", {}, rows)),
  ];
}

/** Every request this tab holds a session token for, with one refresh for all (on demand, no polling). */
function sessionSection(sessions, refresh) {
  return h("section", { "aria-labelledby": "session-title" },
    h("h2", { id: "session-title" }, "Invoices sent for financing"),
    sessions.flatMap(sessionPart),
    h("div", { class: "actions" }, h("button", { type: "button", onclick: refresh }, "Refresh status")));
}

/** Each draft invoice as a labelled checkbox; "Review" asks the server to quote the ones ticked. */
function pickSection(drafts, review) {
  // Each box sits inside its label: the whole line is its name and clicking it ticks the box.
  const boxes = drafts.map((invoice) => h("label", { class: "pick" },
    h("input", { type: "checkbox", name: "invoice", value: invoice.invoice_id, "data-type": invoice.type }),
    ` ${text(invoice.description || invoice.document_id)} — ${text(invoice.payer_business_name)}, `
    + `${minorUnits(invoice.total_amount, invoice.currency)}, due ${invoice.due_date}`));
  const form = h("form", {
    onsubmit: (event) => {
      event.preventDefault();
      const picked = [...form.querySelectorAll("input[name=invoice]:checked")]
        .map((box) => ({ id: box.value, type: box.dataset.type }));
      review(picked);
    },
  },
  h("fieldset", {}, h("legend", {}, "Invoices you can finance"), boxes),
  h("div", { class: "actions" }, h("button", { type: "submit" }, "Review")));
  return h("section", { "aria-labelledby": "pick-title" },
    h("h2", { id: "pick-title" }, "Choose invoices to finance"),
    h("p", {}, "Tick the invoices you want financed, then review what you receive and repay before you confirm."),
    form);
}

/** The server's quote per invoice and in total (never computed here), with "Confirm" and a way back. */
function reviewSection(quote, confirm, back) {
  const cell = (amount, currency) => h("td", { class: "amount" }, minorUnits(amount, currency));
  const rows = quote.invoices.map((invoice) => h("tr", { "data-invoice": invoice.invoice_id },
    h("th", { scope: "row" }, text(invoice.description || invoice.document_id)),
    cell(invoice.total_amount, invoice.currency),
    cell(invoice.advance_amount, invoice.currency),
    cell(invoice.fee_amount, invoice.currency),
    cell(invoice.repayment_amount, invoice.currency),
    h("td", {}, text(invoice.repayment_schedule.repayment_date))));
  const total = quote.total;
  return h("section", { "aria-labelledby": "review-title" },
    h("h2", { id: "review-title" }, "Review"),
    h("p", {}, `If your lender pays the advance on ${quote.disbursement_date}, you receive and repay:`),
    h("table", {},
      h("caption", {}, "What you receive and repay, per invoice and in total"),
      h("thead", {}, h("tr", {}, ["Invoice", "Amount", "Advance", "Fee", "Repayment", "Repay by"]
        .map((label) => h("th", { scope: "col", class: ["Invoice", "Repay by"].includes(label) ? null : "amount" }, label)))),
      h("tbody", {}, rows),
      h("tfoot", {}, h("tr", { "data-total": "" },
        h("th", { scope: "row" }, "Total"),
        h("td", {}, ""),
        cell(total.advance_amount, total.currency),
        cell(total.fee_amount, total.currency),
        cell(total.repayment_amount, total.currency),
        h("td", {}, `last ${text(total.repayment_date)}`)))),
    h("div", { class: "actions" },
      h("button", { type: "button", onclick: confirm }, "Confirm"),
      h("button", { type: "button", class: "secondary", onclick: back }, "Change selection")));
}

async function show(config, tokens) {
  const call = apiClient(config.api_url, () => `Bearer ${tokens.connect}`);
  const failed = (error) => showMessage(messages, error.status === 401
    ? "This financing link is not valid or has expired. Ask for a new link."
    : error.message);
  let picked = [];
  let confirmKey = null; // one Idempotency-Key per reviewed choice: a repeated click submits once

  const confirm = async () => {
    try {
      const confirmed = await call("POST", "/v1/financing_connect/confirm", { invoices: picked },
        { "Idempotency-Key": confirmKey });
      tokens.connect = confirmed.connect_token;
      tokens.sessions = [...tokens.sessions, confirmed.session_token];
      keepTokens(tokens);
      picked = [];
      await render();
      showMessage(messages, `Sent to your lender: ${confirmed.invoices.length} invoice(s). Their status shows below.`, "info");
    } catch (error) {
      failed(error);
    }
  };

  const review = async (chosen) => {
    if (!chosen.length) {
      showMessage(messages, "Tick at least one invoice to review.");
      return;
    }
    try {
      const quote = await call("POST", "/v1/financing_connect/quote", { invoices: chosen });
      picked = chosen;
      confirmKey = newIdempotencyKey();
      page.replaceChildren(messages, reviewSection(quote, confirm, render));
      showMessage(messages, "");
      page.querySelector("#review-title").setAttribute("tabindex", "-1");
      page.querySelector("#review-title").focus();
    } catch (error) {
      failed(error);
    }
  };

  const render = async () => {
    try {
      // The first request comes with the offer and the drafts; each further one is asked for by its token.
      const [first, ...more] = tokens.sessions;
      const session = (token) => (token ? { "x-financing-session": token } : {});
      const body = await call("GET", "/v1/financing_connect", undefined, session(first));
      const others = await Promise.all(more.map((token) => call("GET", "/v1/financing_connect", undefined, session(token))));
      const sessions = [body.session, ...others.map((other) => other.session)].filter(Boolean);
      const parts = [offerSection(body)];
      if (sessions.length) parts.push(sessionSection(sessions, render));
      const offered = (body.offers || []).some((o) => o.status === "CURRENT");
      if (offered && body.draft_invoices && body.draft_invoices.length) parts.push(pickSection(body.draft_invoices, review));
      parts.push(h("p", {}, `This link works until ${body.expires_at}.`));
      page.replaceChildren(messages, ...parts);
      showMessage(messages, "");
    } catch (error) {
      page.replaceChildren(messages);
      failed(error);
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
