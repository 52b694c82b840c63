// Formatting only: amounts are shown exactly as the API gives them, never recomputed here.

const formats = new Map();

function currencyFormat(currency) {
  const code = String(currency || "").toUpperCase();
  if (!formats.has(code)) {
    formats.set(code, new Intl.NumberFormat("en-US", { style: "currency", currency: code }));
  }
  return formats.get(code);
}

/** Decimal major units as the core API sends them (a JSON number such as 79200 or 123.53). */
export function money(amount, currency) {
  if (amount === null || amount === undefined) return "—";
  return currencyFormat(currency).format(String(amount));
}

/** Integer minor units (Monite's family), placed by the currency's decimals without arithmetic on floats. */
export function minorUnits(amount, currency) {
  if (amount === null || amount === undefined) return "—";
  const digits = currencyFormat(currency).resolvedOptions().maximumFractionDigits;
  const negative = String(amount).startsWith("-");
  const text = String(amount).replace("-", "").padStart(digits + 1, "0");
  const decimal = digits ? `${text.slice(0, -digits)}.${text.slice(-digits)}` : text;
  return currencyFormat(currency).format(`${negative ? "-" : ""}${decimal}`);
}

/** Monite's percentages: basis points (10000 = 100%). */
export function basisPoints(value) {
  if (value === null || value === undefined) return "—";
  const text = String(value).padStart(3, "0");
  const whole = text.slice(0, -2);
  const cents = text.slice(-2).replace(/0+$/, "");
  return `${whole}${cents ? `.${cents}` : ""}%`;
}

export function text(value) {
  return value === null || value === undefined || value === "" ? "—" : String(value);
}

export function words(status) {
  return String(status || "").replace(/_/g, " ");
}

/** An element with attributes and children; strings become text nodes (never HTML). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A definition list of label/value pairs. */
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]));
}

/** A message region announced to screen readers. */
export function showMessage(region, message, kind = "error") {
  region.replaceChildren();
  if (!message) return;
  region.append(h("p", { class: `message ${kind}`, role: kind === "error" ? "alert" : "status" }, message));
}
