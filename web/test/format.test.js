// Money and errors as the pages show them (node --test; no package needed).
import assert from "node:assert/strict";
import { test } from "node:test";
import { plainWords } from "../src/shared/api.js";
import { basisPoints, minorUnits, money } from "../src/shared/format.js";

test("minor units are placed by the currency's decimals, digit for digit", () => {
  assert.equal(minorUnits(8_800_000, "USD"), "$88,000.00");
  assert.equal(minorUnits(5, "usd"), "$0.05");
  assert.equal(minorUnits(-1999, "EUR"), "-€19.99");
  assert.equal(minorUnits(1234, "JPY"), "¥1,234");
  assert.equal(minorUnits(1, "BHD"), "BHD\u00a00.001");
  // Beyond a double's 15-16 significant digits: still exact, because no float ever holds the amount
  assert.equal(minorUnits("123456789012345678", "USD"), "$1,234,567,890,123,456.78");
});

test("minor units agree with a plain BigInt reference on random amounts", () => {
  for (let i = 0; i < 2000; i += 1) {
    const amount = BigInt(Math.floor(Math.random() * 1e9)) * BigInt(Math.floor(Math.random() * 1e9)) - 10n ** 17n;
    const sign = amount < 0n ? "-" : "";
    const absolute = amount < 0n ? -amount : amount;
    const whole = (absolute / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    const cents = (absolute % 100n).toString().padStart(2, "0");
    assert.equal(minorUnits(amount.toString(), "USD"), `${sign}$${whole}.${cents}`);
  }
});

test("core decimals are formatted as sent", () => {
  assert.equal(money(79200, "usd"), "$79,200.00");
  assert.equal(money(123.53, "gbp"), "£123.53");
  assert.equal(money(null, "usd"), "—");
});

test("basis points are percentages without arithmetic", () => {
  assert.equal(basisPoints(9000), "90%");
  assert.equal(basisPoints(250), "2.5%");
  assert.equal(basisPoints(5), "0.05%");
  assert.equal(basisPoints(10000), "100%");
});

test("every family's error envelope reads as one sentence", () => {
  const core = { error: { code: "invalid_transition", message: "The invoice is declined.", details: [{ field: "status", message: "declined" }] } };
  assert.equal(plainWords(409, core), "Not possible now. The invoice is declined. status: declined");
  const monite = { detail: [{ loc: ["body", "invoices", 0], msg: "Field required", type: "missing" }] };
  assert.equal(plainWords(422, monite), "Some values are not accepted. invoices.0: Field required");
  assert.equal(plainWords(400, { correlationId: "c", errors: ["amount: must be positive"] }), "The request was not accepted. amount: must be positive");
  assert.equal(plainWords(401, { message: "Unauthorized" }), "Your sign-in is missing, expired or not valid: sign in again. Unauthorized");
  assert.equal(plainWords(502, null), "The server answered 502");
});
