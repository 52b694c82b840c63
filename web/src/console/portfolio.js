// Portfolio pictures from the ledger reports: aging buckets, exposure by buyer against its limit, and
// funded volume and collections by month.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { h, money, showMessage } from "../shared/format.js";
import { companyNames } from "./names.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const BUCKETS = [["current", "Current"], ["days_1_30", "1–30 days"], ["days_31_60", "31–60 days"],
  ["days_61_90", "61–90 days"], ["days_over_90", "Over 90 days"]];

/** A chart and, for screen readers and exact figures, the same numbers as a table. */
function chartWithTable(title, rowLabel, labels, series, currency) {
  const canvas = h("canvas", { role: "img", "aria-label": title });
  const table = h("table", {}, h("caption", {}, title),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, rowLabel), series.map((s) => h("th", { scope: "col", class: "amount" }, s.label)))),
    h("tbody", {}, labels.map((label, i) => h("tr", {}, h("th", { scope: "row" }, label),
      series.map((s) => h("td", { class: "amount" }, money(s.data[i], currency)))))));
  const wrapper = h("div", {}, h("div", { class: "chart" }, canvas), table);
  new Chart(canvas, {
    type: "bar",
    data: { labels, datasets: series.map((s) => ({ label: s.label, data: s.data.map((v) => v ?? 0), backgroundColor: s.color })) },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } } },
  });
  return wrapper;
}

/** "2026-12" as "Dec 2026": the month the report's entries were booked in (UTC). */
function monthLabel(month) {
  const [year, number] = month.split("-").map(Number);
  return new Intl.DateTimeFormat("en", { month: "short", year: "numeric", timeZone: "UTC" }).format(Date.UTC(year, number - 1, 1));
}

export async function portfolio(api, target, messages) {
  try {
    const [aging, exposure, volume] = await Promise.all(
      [api("GET", "/v1/reports/aging"), api("GET", "/v1/reports/exposure"), api("GET", "/v1/reports/volume")]);
    const section = h("section", { "aria-labelledby": "portfolio-title" }, h("h2", { id: "portfolio-title" }, "Portfolio"));
    target.replaceChildren(section);
    if (!aging.data.length) section.append(h("p", {}, "Nothing outstanding yet: fund an invoice to see the portfolio."));
    for (const report of aging.data) {
      section.append(h("h3", {}, `Aging, ${report.currency.toUpperCase()}, as of ${report.as_of}`),
        chartWithTable(`Claims outstanding by days past due (${report.currency.toUpperCase()})`, "Days past due",
          BUCKETS.map(([, label]) => label),
          [{ label: "Outstanding", data: BUCKETS.map(([key]) => report.total[key]), color: "#2f6fa3" }], report.currency));
    }
    const byCurrency = Map.groupBy(exposure.buyers, (b) => b.currency);
    const names = await companyNames(api, exposure.buyers.map((b) => b.company));
    for (const [currency, buyers] of byCurrency) {
      section.append(h("h3", {}, `Exposure by buyer, ${currency.toUpperCase()}, as of ${exposure.as_of}`),
        chartWithTable(`Drawn and overdue against each buyer's limit (${currency.toUpperCase()})`, "Buyer",
          buyers.map((b) => names.get(b.company)),
          [
            { label: "Limit", data: buyers.map((b) => b.limit), color: "#9db7cf" },
            { label: "Drawn", data: buyers.map((b) => b.drawn), color: "#2f6fa3" },
            { label: "Overdue", data: buyers.map((b) => b.overdue), color: "#b3432f" },
          ], currency));
    }
    for (const report of volume.data) {
      const currency = report.currency.toUpperCase();
      section.append(h("h3", {}, `Funded and collected by month, ${currency}`),
        chartWithTable(`Funded and collected by month (${currency})`, "Month",
          report.months.map((m) => monthLabel(m.month)),
          [
            { label: "Funded", data: report.months.map((m) => m.funded), color: "#2f6fa3" },
            { label: "Collected", data: report.months.map((m) => m.collected), color: "#3d8b5f" },
          ], report.currency));
    }
  } catch (error) {
    showMessage(messages, error.message);
  }
}
