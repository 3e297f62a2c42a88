// The hosted donation form in a real headless Chromium (Debian's `chromium`, driven by
// playwright-core), against the local stack that `make test` starts. Run by scripts/test.sh.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(`${process.env.NPM_TOOLS}/package.json`);
const { chromium } = require("playwright-core");

const base = process.env.SMOKE_API_URL;
const demo = JSON.parse(readFileSync(process.env.SMOKE_DEMO_FILE, "utf8"));
const formUrl = `${base}/form/${demo.formHash}`;

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox"],
  });
});
after(async () => browser?.close());

/// A phone-sized page, as most donors see the form.
async function phone() {
  const context = await browser.newContext({ viewport: { width: 360, height: 780 } });
  return context.newPage();
}

async function sessionApi(operation, body) {
  const response = await fetch(`${base}/app/${operation}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ hash: demo.formHash, ...body }),
  });
  assert.equal(response.status, 200);
  return (await response.json()).session;
}

async function prefilled() {
  const session = await sessionApi("createSession", {
    payment: {
      salutation: "Mr.",
      first_name: "Max",
      last_name: "Mustermann",
      email: "max@example.org",
      amount_fix: "50",
      interval: "1",
      payment_method: "sepa_direct_debit",
    },
  });
  const page = await phone();
  await page.goto(`${formUrl}?fbSessionHash=${session.hash}`);
  return { page, session };
}

test("a session created through the API prefills the form; its fixed amount is read-only", async () => {
  const { page } = await prefilled();
  assert.equal(await page.inputValue("#f-first_name"), "Max");
  assert.equal(await page.inputValue("#f-email"), "max@example.org");
  assert.equal(await page.inputValue("#f-salutation"), "Mr.");
  assert.ok(await page.isChecked("input[name=interval][value='1']"));
  assert.equal(await page.getAttribute("#f-amount", "readonly"), "");
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth);
  assert.ok(fits, "no horizontal scrolling at 360 px");
  await page.screenshot({ path: "docs/form.png", fullPage: true });
  await page.focus("#f-amount");
  await page.keyboard.press("End");
  await page.keyboard.type("9");
  assert.equal(await page.inputValue("#f-amount"), "50", "typing does not change it");
});

test("a tampered post does not change the fixed amount", async () => {
  const { page, session } = await prefilled();
  await page.evaluate(() => {
    const amount = document.querySelector("#f-amount");
    amount.removeAttribute("readonly");
    amount.value = "1";
  });
  await page.click("button[type=submit]");
  await page.waitForSelector("#e-amount");
  assert.match(await page.textContent("#e-amount"), /vorgegeben/);
  assert.equal(await page.inputValue("#f-amount"), "50");
  const stored = await sessionApi("updateSession", { fbSessionHash: session.hash });
  assert.equal(stored.values.amount, "50");
});

test("an invalid email is shown next to its field", async () => {
  const page = await phone();
  await page.goto(formUrl);
  await page.fill("#f-email", "not-an-email");
  await page.check("#f-amount-other");
  await page.fill("#f-amount", "20");
  await page.click("button[type=submit]");
  await page.waitForSelector("#e-email");
  assert.equal(
    await page.textContent("#e-email"),
    "Bitte geben Sie eine gültige E-Mail-Adresse ein",
  );
  assert.equal(await page.getAttribute("#f-email", "aria-invalid"), "true");
  assert.equal(await page.getAttribute("#f-email", "aria-describedby"), "e-email");
  assert.equal(await page.inputValue("#f-email"), "not-an-email", "the donor's input is kept");
  assert.equal(await page.inputValue("#f-amount"), "20");
});

test("a complete donation ends on the thank-you page and its DataSet is listed", async () => {
  const page = await phone();
  await page.goto(formUrl);
  await page.selectOption("#f-salutation", "Ms.");
  await page.fill("#f-first_name", "Erika");
  await page.fill("#f-last_name", "Mustermann");
  await page.fill("#f-email", "erika@example.org");
  await page.check("#f-amount-other");
  await page.fill("#f-amount", "25,50");
  await page.check("input[name=interval][value='0']");
  await page.check("input[name=payment_method][value=sepa_direct_debit]");
  await page.fill("#f-iban", "DE89 3704 0044 0532 0130 00");
  await page.check("#f-sepa_mandate");
  await page.check("input[name=wants_receipt][value=no_receipt]");
  await page.check("#f-is_privacy_accepted");
  await page.click("button[type=submit]");
  await page.waitForSelector("#reference");
  assert.match(await page.textContent("h1"), /Vielen Dank/);
  const reference = await page.textContent("#reference");
  const listed = await fetch(`${base}/dataSets?pageSize=500`, {
    headers: { authorization: `Bearer ${demo.apiKey}` },
  }).then((r) => r.json());
  const dataset = listed.list.find((d) => d.dataSetGuid === reference);
  assert.ok(dataset, `DataSet ${reference} is listed`);
  assert.equal(dataset.jsonElement.formResult.amount, "25.50");
});

test("the demo form offers direct debit only: no card or PayPal without a payment provider", async () => {
  const page = await phone();
  await page.goto(formUrl);
  const methods = await page.$$eval("input[name=payment_method]", (inputs) =>
    inputs.map((input) => input.value),
  );
  assert.deepEqual(methods, ["sepa_direct_debit"]);
});

test("direct debit shows its mandate and IBAN only when chosen, and is signed before it is taken", async () => {
  const page = await phone();
  await page.goto(formUrl);
  assert.ok(await page.isChecked("#f-amount-1"), "the default preset (25) is chosen");
  assert.equal(await page.isVisible("#f-iban"), false, "no IBAN before direct debit is chosen");
  assert.equal(await page.isVisible("#f-sepa_mandate"), false);
  await page.check("input[name=payment_method][value=sepa_direct_debit]");
  assert.ok(await page.isVisible("#f-iban"));
  const mandate = await page.textContent("fieldset.mandate");
  assert.match(mandate, /DE98ZZZ09999999999/);
  assert.match(mandate, /acht Wochen/);
  await page.selectOption("#f-salutation", "Ms.");
  await page.fill("#f-first_name", "Jürgen");
  await page.fill("#f-last_name", "Weiß");
  await page.fill("#f-email", "juergen@example.org");
  await page.check("#f-amount-2");
  await page.check("input[name=interval][value='1']");
  await page.fill("#f-iban", "DE89 3704 0044 0532 0130 00");
  await page.check("input[name=wants_receipt][value=no_receipt]");
  await page.check("#f-is_privacy_accepted");
  await page.click("button[type=submit]");
  await page.waitForSelector("#e-sepa_mandate");
  assert.match(await page.textContent("#e-sepa_mandate"), /Lastschriftmandat/);
  assert.ok(await page.isChecked("#f-amount-2"), "the chosen amount is kept");
  await page.check("#f-sepa_mandate");
  await page.click("button[type=submit]");
  await page.waitForSelector("#reference");
  const reference = await page.textContent("#reference");
  const dataset = await fetch(`${base}/dataSet/${reference}`, {
    headers: { authorization: `Bearer ${demo.apiKey}` },
  }).then((r) => r.json());
  const result = dataset.jsonElement.formResult;
  assert.equal(result.amount, "50");
  assert.equal(result.payment_method, "sepa_direct_debit");
  assert.equal(result.sepa_mandate.accepted, true);
  assert.equal(result.sepa_mandate.creditorId, "DE98ZZZ09999999999");
});
