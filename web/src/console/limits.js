// Buyer limits: requests to approve (with the total granted) or deny (with a reason).
import { h, money, showMessage, text, words } from "../shared/format.js";
import { companyNames } from "./names.js";

export function buyerLimits(api, target, messages) {
  const cursors = [null];
  const show = async (page) => {
    const query = new URLSearchParams({ limit: "10" });
    if (cursors[page]) query.set("cursor", cursors[page]);
    try {
      const body = await api("GET", `/v1/buyer_limits?${query}`);
      cursors[page + 1] = body.has_more ? body.next_cursor : undefined;
      const buyers = await companyNames(api, body.data.map((limit) => limit.company));
      const rows = body.data.map((limit) => {
        const decide = h("td", {});
        if (limit.status === "pending") {
          const total = h("input", { name: "total_limit", inputmode: "decimal", value: String(limit.requested_limit), "aria-label": `Total limit for ${limit.id}` });
          const reason = h("input", { name: "reason", "aria-label": `Reason to deny ${limit.id}` });
          const act = (action, body) => api("POST", `/v1/buyer_limits/${limit.id}/${action}`, body)
            .then(() => { showMessage(messages, `Limit ${words(action === "approve" ? "approved" : "denied")}.`, "info"); show(page); })
            .catch((error) => showMessage(messages, error.message));
          decide.append(
            h("div", { class: "actions" }, total, h("button", { type: "button", onclick: () => act("approve", { total_limit: /^\d+(\.\d+)?$/.test(total.value) ? Number(total.value) : total.value }) }, "Approve")),
            h("div", { class: "actions" }, reason, h("button", { type: "button", class: "secondary", onclick: () => act("deny", { reason: reason.value }) }, "Deny")));
        }
        return h("tr", {}, h("th", { scope: "row" }, buyers.get(limit.company)),
          h("td", { class: "amount" }, money(limit.requested_limit, limit.currency)),
          h("td", { class: "amount" }, money(limit.total_limit, limit.currency)),
          h("td", { class: "amount" }, money(limit.available_limit, limit.currency)),
          h("td", {}, words(limit.status)), h("td", {}, text(limit.reason)), decide);
      });
      target.replaceChildren(h("section", { "aria-labelledby": "limits-title" },
        h("h2", { id: "limits-title" }, "Buyer limits"),
        rows.length ? h("table", {}, h("caption", {}, `Buyer limits, page ${page + 1}`),
          h("thead", {}, h("tr", {}, ["Buyer", "Requested", "Granted", "Available", "Status", "Reason", "Decision"].map((l) => h("th", { scope: "col" }, l)))),
          h("tbody", {}, rows)) : h("p", {}, "No buyer limit yet."),
        h("div", { class: "actions" },
          page > 0 ? h("button", { type: "button", class: "secondary", onclick: () => show(page - 1) }, "Previous page") : null,
          cursors[page + 1] ? h("button", { type: "button", class: "secondary", onclick: () => show(page + 1) }, "Next page") : null)));
    } catch (error) {
      showMessage(messages, error.message);
    }
  };
  show(0);
}
