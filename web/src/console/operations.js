// The credit line (Monite's offer, minor units), webhook subscriptions with their failed deliveries, and
// receivables with their registration (dead-lettered ones retried).
import { newIdempotencyKey } from "../shared/api.js";
import { basisPoints, facts, h, minorUnits, showMessage, text, words } from "../shared/format.js";

export async function creditLine(api, target, messages) {
  try {
    const body = await api("GET", "/v1/financing_offers");
    const offer = (body.offers || []).find((o) => o.status === "CURRENT");
    target.replaceChildren(h("section", { "aria-labelledby": "line-title" },
      h("h2", { id: "line-title" }, "Credit line"),
      offer ? [
        facts([["Total", minorUnits(offer.total_amount, offer.currency)],
          ["Available", minorUnits(offer.available_amount, offer.currency)],
          ["Business status", words(body.business_status).toLowerCase()]]),
        h("table", {}, h("caption", {}, "Pricing plans"),
          h("thead", {}, h("tr", {}, ["Advance rate", "Fee", "Repayment", "Days"].map((l) => h("th", { scope: "col" }, l)))),
          h("tbody", {}, offer.pricing_plans.map((plan) => h("tr", {},
            h("td", {}, basisPoints(plan.advance_rate_percentage)), h("td", {}, basisPoints(plan.fee_percentage)),
            h("td", {}, words(plan.repayment_type).toLowerCase()), h("td", {}, text(plan.repayment_duration_days)))))),
      ] : h("p", {}, "No credit line: fundings are limited by buyer limits only (set one with PUT /v1/financing_offers).")));
  } catch (error) {
    showMessage(messages, error.message);
  }
}

function failedDeliveries(api, subscription, area, messages) {
  const query = new URLSearchParams({ subscription: subscription.id, status: "failed", limit: "20" });
  api("GET", `/v1/webhook_deliveries?${query}`).then((body) => {
    area.replaceChildren(body.data.length
      ? h("table", {}, h("caption", {}, `Failed deliveries to ${subscription.url}`),
        h("thead", {}, h("tr", {}, ["Event", "Attempts", "Last error", "Last attempt"].map((l) => h("th", { scope: "col" }, l)))),
        h("tbody", {}, body.data.map((d) => h("tr", {}, h("th", { scope: "row" }, d.event_type),
          h("td", {}, String(d.attempts.length)), h("td", {}, text(d.last_error)), h("td", {}, text(d.updated))))))
      : h("p", { role: "status" }, `No failed delivery to ${subscription.url}.`));
  }, (error) => showMessage(messages, error.message));
}

export function webhooks(api, target, messages) {
  const cursors = [null];
  const show = async (page) => {
    const query = new URLSearchParams({ limit: "10" });
    if (cursors[page]) query.set("cursor", cursors[page]);
    try {
      const body = await api("GET", `/v1/webhook_subscriptions?${query}`);
      cursors[page + 1] = body.has_more ? body.next_cursor : undefined;
      const deliveries = h("div", {});
      target.replaceChildren(h("section", { "aria-labelledby": "hooks-title" },
        h("h2", { id: "hooks-title" }, "Webhook subscriptions"),
        body.data.length ? h("table", {}, h("caption", {}, `Subscriptions, page ${page + 1}`),
          h("thead", {}, h("tr", {}, ["URL", "Events", "Enabled", "Deliveries"].map((l) => h("th", { scope: "col" }, l)))),
          h("tbody", {}, body.data.map((s) => h("tr", {}, h("th", { scope: "row" }, s.url),
            h("td", {}, s.event_types.join(", ")), h("td", {}, s.enabled ? "yes" : "no"),
            h("td", {}, h("button", { type: "button", class: "secondary", "aria-label": `Failed deliveries to ${s.url}`,
              onclick: () => failedDeliveries(api, s, deliveries, messages) }, "Failed deliveries"))))))
          : h("p", {}, "No webhook subscription yet."),
        deliveries,
        h("div", { class: "actions" },
          page > 0 ? h("button", { type: "button", class: "secondary", onclick: () => show(page - 1) }, "Previous page") : null,
          cursors[page + 1] ? h("button", { type: "button", class: "secondary", onclick: () => show(page + 1) }, "Next page") : null)));
    } catch (error) {
      showMessage(messages, error.message);
    }
  };
  show(0);
}

/** A dead-lettered receivable's way back: its registration queued again (one key per row shown, so a second
 * click replays the first answer instead of asking twice). */
function retryButton(api, receivable, messages, refresh) {
  const key = newIdempotencyKey();
  return h("button", { type: "button", "aria-label": `Retry registration of ${receivable.internal_number}`,
    onclick: () => api("POST", `/v1/credit-rights/${encodeURIComponent(receivable.internal_number)}/retry_registration`,
      undefined, { "Idempotency-Key": key })
      .then(() => { showMessage(messages, `Registration of ${receivable.internal_number} queued again.`, "info"); refresh(); })
      .catch((error) => showMessage(messages, error.message)) }, "Retry registration");
}

/** Receivables (Pismo family) with their registration outcomes, a page at a time with the API's cursors;
 * the dead-lettered ones (PENDING with their attempts spent) are marked with a button to retry them. */
export function receivables(api, target, messages) {
  const cursors = [null];
  let onlyDeadLettered = false;  // the API lists them all: this filters the page shown
  const show = async (page) => {
    const query = new URLSearchParams({ limit: "10" });
    if (cursors[page]) query.set("cursor", cursors[page]);
    try {
      const body = await api("GET", `/v1/credit-rights?${query}`);
      cursors[page + 1] = body.has_more ? body.next_cursor : undefined;
      const shown = onlyDeadLettered ? body.data.filter((r) => r.dead_lettered) : body.data;
      target.replaceChildren(h("section", { "aria-labelledby": "receivables-title" },
        h("h2", { id: "receivables-title" }, "Receivables"),
        h("label", {}, h("input", { type: "checkbox", checked: onlyDeadLettered,
          onchange: (event) => { onlyDeadLettered = event.target.checked; show(page); } }),
        " Only the dead-lettered on this page"),
        shown.length ? h("table", {}, h("caption", {}, `Receivables and their registration, page ${page + 1}`),
          h("thead", {}, h("tr", {}, ["Internal number", "Status", "Registrar reference", "Attempts", "Last error", "Redrive"]
            .map((l) => h("th", { scope: "col" }, l)))),
          h("tbody", {}, shown.map((r) => h("tr", {}, h("th", { scope: "row" }, r.internal_number),
            h("td", {}, h("span", { class: "badge", "data-status": r.status.toLowerCase() }, r.status),
              r.dead_lettered ? [" ", h("span", { class: "badge", "data-status": "dead-lettered" }, "Dead-lettered")] : null),
            h("td", {}, text(r.registrar_reference)), h("td", {}, String(r.attempts)), h("td", {}, text(r.last_error)),
            h("td", {}, r.dead_lettered ? retryButton(api, r, messages, () => show(page)) : "—")))))
          : h("p", {}, onlyDeadLettered ? "No dead-lettered receivable on this page." : "No receivable registered yet."),
        h("p", {}, "A registration still pending after its last retry is dead-lettered: "
          + "Retry registration queues it again with its attempts reset."),
        h("div", { class: "actions" },
          page > 0 ? h("button", { type: "button", class: "secondary", onclick: () => show(page - 1) }, "Previous page") : null,
          cursors[page + 1] ? h("button", { type: "button", class: "secondary", onclick: () => show(page + 1) }, "Next page") : null)));
    } catch (error) {
      showMessage(messages, error.message);
    }
  };
  show(0);
}
