// Lighthouse's accessibility audit of the hosted form (npm `lighthouse`, pinned by
// package-lock.json, driving Debian's chromium): the empty form, and the form with direct debit
// chosen, its IBAN field and mandate showing. Both must score 100. Run by scripts/test.sh.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";

const run = promisify(execFile);
const base = process.env.SMOKE_API_URL;
const demo = JSON.parse(readFileSync(process.env.SMOKE_DEMO_FILE, "utf8"));
const formUrl = `${base}/form/${demo.formHash}`;
const lighthouse = `${process.env.NPM_TOOLS}/node_modules/.bin/lighthouse`;

async function audit(url) {
  const { stdout } = await run(
    lighthouse,
    [
      url,
      "--only-categories=accessibility",
      "--output=json",
      "--quiet",
      "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
    ],
    {
      env: { ...process.env, CHROME_PATH: process.env.CHROMIUM ?? "/usr/bin/chromium" },
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const report = JSON.parse(stdout);
  const failing = Object.values(report.audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode === "binary")
    .map((a) => a.id);
  return { score: report.categories.accessibility.score, failing };
}

test("the form scores 100 in Lighthouse's accessibility audit", async () => {
  const { score, failing } = await audit(formUrl);
  assert.equal(score, 1, `failing audits: ${failing.join(", ")}`);
});

test("with direct debit chosen, the IBAN field and mandate keep the score at 100", async () => {
  const response = await fetch(`${base}/app/createSession`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      hash: demo.formHash,
      payment: { amount: "50", payment_method: "sepa_direct_debit" },
    }),
  });
  const session = (await response.json()).session;
  const { score, failing } = await audit(`${formUrl}?fbSessionHash=${session.hash}`);
  assert.equal(score, 1, `failing audits: ${failing.join(", ")}`);
});
