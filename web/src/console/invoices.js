// The invoice queue by status, one invoice with its history, and the actions its status allows.
import { newIdempotencyKey } from "../shared/api.js";
import { facts, h, money, showMessage, text, words } from "../shared/format.js";
import { companyNames } from "./names.js";

export const STATUSES = ["new", "additional_info_required", "requesting_signatures", "approved", "financed",
  "overdue", "repaid", "defaulted", "declined", "draft"];

// The lifecycle (README "Invoices"): which actions each status allows.
const ACTIONS = {
  draft: ["submit"],
  new: ["request_info", "request_signatures", "decline"],
  additional_info_required: ["submit", "decline"],
  requesting_signatures: ["sign", "decline"],
  approved: ["fund", "decline"],
  financed: ["payments"],
  overdue: ["payments"],
};
const LABELS = {
  submit: "Submit", request_info: "Request information", request_signatures: "Request signatures",
  sign: "Record a signature", decline: "Decline", fund: "Fund", payments: "Record a payment",
};

function field(label, input) {
  return h("label", {}, `${label} `, input);
}

/** The form an action needs; its submit sends the action and shows the invoice again. */
function actionForm(api, invoice, action, after, messages) {
  const today = new Date().toISOString().slice(0, 10);
  const key = newIdempotencyKey(); // one per opened form: a retried click records the payment once
  const inputs = {
    submit: () => [],
    request_signatures: () => [],
    request_info: () => [field("Reason", h("input", { name: "reason", required: true }))],
    decline: () => [field("Reason", h("input", { name: "reason", required: true }))],
    sign: () => {
      // One choice per signatory of either party: the party and its contact travel together.
      const choice = h("select", { name: "signatory", required: true });
      for (const party of ["supplier", "buyer"]) {
        api("GET", `/v1/companies/${invoice[party]}`).then((company) => {
          for (const contact of company.contacts.filter((c) => c.is_signatory)) {
            choice.append(h("option", { value: `${party} ${contact.id}` },
              `${company.name} (${party}): ${contact.first_name} ${contact.last_name}`));
          }
        }, (error) => showMessage(messages, error.message));
      }
      return [field("Signatory", choice)];
    },
    fund: () => [
      field("Advance rate % (blank: the tenant's pricing)", h("input", { name: "advance_rate_percentage", inputmode: "decimal" })),
      field("Fee % (blank: the tenant's pricing)", h("input", { name: "fee_percentage", inputmode: "decimal" })),
      field("Disbursement date", h("input", { name: "disbursement_date", type: "date", value: today })),
    ],
    payments: () => [
      field("Amount", h("input", { name: "amount", required: true, inputmode: "decimal" })),
      field("Paid on", h("input", { name: "paid_date", type: "date", value: today, required: true })),
      field("Reference", h("input", { name: "reference", required: true })),
    ],
  }[action]();
  // Funding shows the API's preview (the same pricing as the funding, computed by the server) first.
  const preview = action === "fund" ? h("section", { "aria-label": "Funding preview", "aria-live": "polite" }) : null;
  const previewButton = action === "fund" ? h("button", { type: "button", class: "secondary", onclick: async () => {
    const query = new URLSearchParams(Object.entries(formBody()).map(([k, v]) => [k, String(v)]));
    try {
      const p = await api("GET", `/v1/invoices/${invoice.id}/funding_preview?${query}`);
      const c = p.currency;
      preview.replaceChildren(h("h4", {}, "Funding preview"), facts([
        ["Advance", money(p.first_payment, c)], ["Fee (discount)", money(p.discount, c)], ["IOF", money(p.iof, c)],
        ["Repayment", money(p.repayment_amount, c)], ["Disbursed on", p.disbursement_date], ["Repaid on", p.repayment_date],
      ]));
    } catch (error) {
      preview.replaceChildren();
      showMessage(messages, error.message);
    }
  } }, "Preview the funding") : null;
  const form = h("form", { "aria-label": LABELS[action] }, h("h3", {}, LABELS[action]), inputs, previewButton, preview,
    h("button", { type: "submit" }, `Confirm: ${LABELS[action].toLowerCase()}`));
  const formBody = () => {
    const body = {};
    for (const [name, value] of new FormData(form)) {
      if (value === "") continue;
      if (name === "signatory") {
        [body.party, body.contact] = value.split(" ");
        continue;
      }
      // Amounts and rates go as JSON numbers, digit for digit: the API parses them as exact decimals.
      body[name] = ["amount", "advance_rate_percentage", "fee_percentage"].includes(name) && /^\d+(\.\d+)?$/.test(value)
        ? Number(value) : value;
    }
    return body;
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    showMessage(messages, "");
    const body = formBody();
    try {
      await api("POST", `/v1/invoices/${invoice.id}/${action}`, body, action === "payments" ? { "Idempotency-Key": key } : {});
      await after();
      showMessage(messages, `${LABELS[action]}: done.`, "info");
    } catch (error) {
      showMessage(messages, error.message);
    }
  });
  return form;
}

function financingFacts(invoice) {
  const f = invoice.financing;
  if (!f || f.first_payment === undefined || f.first_payment === null) return null;
  const c = invoice.currency;
  return h("section", { "aria-labelledby": "financing-title" }, h("h3", { id: "financing-title" }, "Financing"),
    facts([
      ["Advance", money(f.first_payment, c)], ["Fee (discount)", money(f.discount, c)],
      ["Repayment", money(f.repayment_amount, c)], ["Outstanding (buyer)", money(f.outstanding_amount, c)],
      ["Outstanding (claim)", money(f.repayment_outstanding, c)], ["Late fees", money(f.late_payment_fees, c)],
      ["Rebate to supplier", money(f.second_payment, c)], ["Settled on", text(f.settled_on)],
    ]));
}

/** The document's name and status; its download link (presigned, short-lived) is asked for on demand. */
function documentLink(api, document, messages) {
  const cell = h("span", {}, `${text(document.name)} (${words(document.status)}) `);
  if (document.status !== "uploaded") return cell;
  const ask = h("button", { type: "button", class: "secondary", onclick: async () => {
    try {
      const found = await api("GET", `/v1/documents/${document.id}`);
      ask.replaceWith(h("a", { href: found.download.url, rel: "noopener noreferrer", target: "_blank" },
        `Open ${found.name} (link valid until ${found.download.expires_at})`));
    } catch (error) {
      showMessage(messages, error.message);
    }
  } }, "Get a download link");
  cell.append(ask);
  return cell;
}

export async function invoiceDetail(api, id, target, messages, back) {
  const [invoice, history] = await Promise.all([
    api("GET", `/v1/invoices/${id}`), api("GET", `/v1/invoices/${id}/history`),
  ]);
  const parties = await companyNames(api, [invoice.supplier, invoice.buyer]);
  const reload = () => invoiceDetail(api, id, target, messages, back).catch((e) => showMessage(messages, e.message));
  const actionArea = h("div", {});
  const actions = (ACTIONS[invoice.status] || []).map((action) => h("button", {
    type: "button", class: "secondary",
    onclick: () => {
      actionArea.replaceChildren(actionForm(api, invoice, action, reload, messages));
      actionArea.querySelector("input, select, button")?.focus();
    },
  }, LABELS[action]));
  target.replaceChildren(h("section", { "aria-labelledby": "invoice-title" },
    h("h2", { id: "invoice-title" }, `Invoice ${invoice.invoice_number}`),
    facts([
      ["Status", h("span", { class: "badge", "data-status": invoice.status }, words(invoice.status))],
      ["Amount", money(invoice.amount, invoice.currency)], ["Supplier", parties.get(invoice.supplier)], ["Buyer", parties.get(invoice.buyer)],
      ["Issued", invoice.issue_date], ["Due", invoice.due_date],
      ["Document", documentLink(api, invoice.invoice_document, messages)],
    ]),
    financingFacts(invoice),
    h("h3", {}, "Actions"),
    actions.length ? h("div", { class: "actions" }, actions) : h("p", {}, "No action: this status is final."),
    actionArea,
    h("h3", {}, "History"),
    h("ol", {}, history.data.map((entry) => h("li", {},
      `${entry.created}: ${words(entry.action)} (${words(entry.from_status) || "—"} → ${words(entry.to_status)}) by ${entry.actor}`
      + (entry.reason ? `: ${entry.reason}` : "")))),
    h("button", { type: "button", class: "secondary", onclick: back }, "Back to the queue")));
  target.querySelector("h2").setAttribute("tabindex", "-1");
  target.querySelector("h2").focus();
}

/** The queue: one status at a time, a page at a time with the API's cursors. */
export function invoiceQueue(api, target, messages) {
  let status = "new";
  const cursors = [null]; // cursors[i] opens page i
  const select = h("select", { id: "status-filter" },
    STATUSES.map((s) => h("option", { value: s }, words(s))), h("option", { value: "" }, "every status"));
  const list = h("div", {});
  const show = async (page) => {
    const query = new URLSearchParams({ limit: "10" });
    if (status) query.set("status", status);
    if (cursors[page]) query.set("cursor", cursors[page]);
    try {
      const body = await api("GET", `/v1/invoices?${query}`);
      cursors[page + 1] = body.has_more ? body.next_cursor : undefined;
      const rows = body.data.map((invoice) => h("tr", {},
        h("th", { scope: "row" }, invoice.invoice_number),
        h("td", { class: "amount" }, money(invoice.amount, invoice.currency)),
        h("td", {}, invoice.due_date), h("td", {}, words(invoice.status)),
        h("td", {}, h("button", {
          type: "button", class: "secondary", "aria-label": `Open invoice ${invoice.invoice_number}`,
          onclick: () => invoiceDetail(api, invoice.id, target, messages, render).catch((e) => showMessage(messages, e.message)),
        }, "Open"))));
      list.replaceChildren(
        rows.length ? h("table", {}, h("caption", {}, `Invoices: ${status ? words(status) : "every status"}, page ${page + 1}`),
          h("thead", {}, h("tr", {}, ["Invoice", "Amount", "Due", "Status", "Action"].map((l) => h("th", { scope: "col" }, l)))),
          h("tbody", {}, rows)) : h("p", {}, "No invoice with this status."),
        h("div", { class: "actions" },
          page > 0 ? h("button", { type: "button", class: "secondary", onclick: () => show(page - 1) }, "Previous page") : null,
          cursors[page + 1] ? h("button", { type: "button", class: "secondary", onclick: () => show(page + 1) }, "Next page") : null));
    } catch (error) {
      showMessage(messages, error.message);
    }
  };
  select.addEventListener("change", () => {
    status = select.value;
    cursors.length = 1;
    show(0);
  });
  const render = () => {
    target.replaceChildren(h("section", { "aria-labelledby": "queue-title" },
      h("h2", { id: "queue-title" }, "Invoice queue"), h("label", { for: "status-filter" }, "Status "), select, list));
    show(0);
  };
  render();
}
