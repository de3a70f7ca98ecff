// Walks the council tax example's journey in headless Chromium, as a person would, and checks each page
// with axe-core. Usage: node interop/browser/journey.mjs <app url> <outbox json url>
//
// Needs GAAP_NODE_MODULES (with playwright-core and axe-core) and GAAP_CHROMIUM (a Chromium binary).
// Exits 1 with a message on the first failed expectation.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

import { axeViolations, describe, expect, heading, launch as launchChromium, tools } from './harness.mjs';

const [appUrl, outboxJsonUrl] = process.argv.slice(2);
if (!appUrl || !outboxJsonUrl) {
  console.error('usage: node journey.mjs <app url> <outbox json url>');
  process.exit(2);
}
const chromiumTools = tools();

const CARD_OK = '4444333322221111';
const CARD_DECLINED = '4000000000000002';
const failures = [];
const a11yReport = [];
// The service's pages have a strict CSP (no script at all, forms only to the service, Pay and One Login):
// any violation the browser reports fails the run.
const cspViolations = [];

// Screenshots of every page checked go here when GAAP_SCREENSHOTS names a folder.
const screenshots = process.env.GAAP_SCREENSHOTS;
if (screenshots) mkdirSync(screenshots, { recursive: true });
let shots = 0;
const looks = [];

// GOV.UK Frontend is applied: the header is GOV.UK's blue and the text in GOV.UK's font stack (Arial, as GDS
// Transport is not shipped), not a browser default. Every page the journey checks, the sandbox's included.
async function checkLook(page, label) {
  const look = await page.evaluate(() => {
    const header = document.querySelector('.govuk-header');
    if (!header) return null;
    const style = getComputedStyle(header);
    return {
      headerBackground: style.backgroundColor,
      headerFont: style.fontFamily,
      // The heading's text: the h1, or the label a question page's h1 wraps.
      headingFont: (() => {
        const h1 = document.querySelector('h1');
        return getComputedStyle(h1.querySelector('label') || h1).fontFamily;
      })(),
      bodyMargin: getComputedStyle(document.body).margin,
    };
  });
  expect(look !== null, `"${label}" has a GOV.UK header`);
  expect(look.headerBackground === 'rgb(29, 112, 184)', `"${label}": the header is GOV.UK blue (${look.headerBackground})`);
  expect(/^"?GDS Transport"?, arial, sans-serif$/i.test(look.headerFont), `"${label}": the header font is GOV.UK's stack (${look.headerFont})`);
  expect(/arial/i.test(look.headingFont), `"${label}": the heading font is GOV.UK's stack (${look.headingFont})`);
  expect(look.bodyMargin === '0px', `"${label}": GOV.UK's template body has no margin (${look.bodyMargin})`);
  looks.push(label);
  if (screenshots) {
    shots += 1;
    const name = `${String(shots).padStart(2, '0')}-${label.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`;
    await page.screenshot({ path: join(screenshots, name), fullPage: true });
  }
}

// axe-core on the current page; a serious or critical violation fails the run. The sandbox's stand-in
// pages (sign-in, card details) are checked too: a person walks through them in this journey.
async function checkA11y(page, label) {
  await checkLook(page, label);
  const results = await axeViolations(page, chromiumTools.axeSource);
  const bad = results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const own = page.url().startsWith(appUrl);
  a11yReport.push({ page: label, url: page.url(), own, violations: results });
  if (bad.length > 0) {
    failures.push(`axe on ${own ? '' : 'sandbox page '}"${label}": ${describe(bad)}`);
  }
}

async function launch() {
  const launched = await launchChromium(chromiumTools, 'gaap-browser-');
  launched.context.on('page', (page) =>
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`);
    }),
  );
  return launched;
}

// The sandbox's One Login sign-in page: pick the default user (or an error) and continue.
async function signIn(page, { fail = false } = {}) {
  expect(!page.url().startsWith(appUrl), `expected the One Login sign-in page, got ${page.url()}`);
  await checkA11y(page, 'One Login sign-in (sandbox)');
  expect((await heading(page)) === 'Sign in to Pay your Council Tax', `the sign-in page names the service (${await heading(page)})`);
  // The sandbox's page offers the configured users and an outcome; access_denied is a refused sign-in.
  if (fail) await page.getByLabel('access_denied').check();
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.waitForLoadState();
}

async function startAndSignIn(page) {
  await page.goto(appUrl);
  expect((await heading(page)) === 'Pay your Council Tax', 'start page heading');
  const body = await page.locator('main').innerText();
  expect(/Council Tax/.test(body) && /One Login/.test(body), 'start page explains the service (govspeak content)');
  await checkA11y(page, 'start page');
  await page.getByRole('button', { name: 'Start now' }).click();
  await page.waitForLoadState();
  await signIn(page);
  expect(page.url().startsWith(`${appUrl}/postcode`), `after sign-in expected /postcode, got ${page.url()}`);
}

async function findAddress(page, postcode) {
  expect((await heading(page)) === 'What is the postcode of the property?', 'postcode page heading');
  await checkA11y(page, 'postcode');

  // Not a postcode at all.
  await page.getByLabel('What is the postcode of the property?').fill('NOT A POSTCODE');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.locator('.govuk-error-summary').waitFor();
  expect((await page.locator('.govuk-error-summary').innerText()).includes('Enter a real postcode'), 'invalid postcode error');
  expect((await page.title()).startsWith('Error: '), 'error page title starts with "Error: "');
  await checkA11y(page, 'postcode: invalid');

  // A real-looking postcode outside the dataset.
  await page.getByLabel('What is the postcode of the property?').fill('ZE3 9JZ');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.locator('.govuk-error-summary').waitFor();
  expect(
    (await page.locator('.govuk-error-summary').innerText()).includes('We could not find any addresses for that postcode'),
    'unknown postcode error',
  );
  expect((await page.locator('a.govuk-back-link').count()) === 1, 'unknown postcode page has a back link');
  await checkA11y(page, 'postcode: unknown');

  await page.getByLabel('What is the postcode of the property?').fill(postcode);
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.waitForURL(`${appUrl}/address`);
  expect((await heading(page)) === 'Select the address of the property', 'address page heading');
  await checkA11y(page, 'address');

  // Continue without choosing: error summary linking to the radios.
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.locator('.govuk-error-summary').waitFor();
  await checkA11y(page, 'address: nothing chosen');

  const first = page.locator('input[name="uprn"]').first();
  const address = (await page.locator('label[for="uprn"]').innerText()).trim();
  await first.check();
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.waitForURL(`${appUrl}/amount-due`);
  expect((await heading(page)) === 'Your Council Tax', 'amount due heading');
  const summary = await page.locator('.govuk-summary-list').innerText();
  expect(summary.includes(address), `amount due page shows the chosen address "${address}"`);
  expect(/Council\s+\S/.test(summary) && /Band\s+[A-H]/.test(summary) && /£[0-9,]+\.[0-9]{2}/.test(summary), 'council, band and amount shown');
  await checkA11y(page, 'amount due');
  const amount = summary.match(/£[0-9,]+\.[0-9]{2}/)[0];
  return { address, summary, amount };
}

// Pay's own "payment not taken" page links back to the service with Continue.
async function leavePay(page) {
  if (!page.url().startsWith(appUrl)) {
    await checkA11y(page, 'Pay outcome (sandbox)');
    await page.getByRole('link', { name: /continue/i }).first().click();
    await page.waitForLoadState();
  }
}

// The sandbox's card details page.
async function payWithCard(page, card, amount) {
  await page.getByRole('button', { name: 'Continue to payment' }).click();
  await page.waitForLoadState();
  expect(!page.url().startsWith(appUrl), `expected the Pay card page, got ${page.url()}`);
  await checkA11y(page, 'Pay card details (sandbox)');
  const shown = (await page.locator('#amount').innerText()).trim();
  expect(shown === amount, `Pay shows the amount as the service does (${shown} and ${amount})`);
  await page.getByLabel(/card number/i).fill(card);
  await page.getByLabel(/expiry month/i).fill('12');
  await page.getByLabel(/expiry year/i).fill('30');
  await page.getByLabel(/name on card/i).fill('Geoffrey Hearnshaw');
  await page.getByLabel(/security code/i).fill('123');
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.waitForLoadState();
  // Pay shows a confirm page before taking the money.
  if (!page.url().startsWith(appUrl)) {
    const confirm = page.getByRole('button', { name: /confirm payment/i });
    if (await confirm.count()) {
      await checkA11y(page, 'Pay confirm (sandbox)');
      await confirm.click();
      await page.waitForLoadState();
    }
  }
  await leavePay(page);
  expect(page.url().startsWith(appUrl), `expected to be back at the service, got ${page.url()}`);
}

async function outbox() {
  const response = await fetch(outboxJsonUrl);
  expect(response.ok, `outbox answered ${response.status}`);
  return response.json();
}

function outboxIds(outbox) {
  return outbox.notifications.map((n) => n.id).join(',');
}

async function succeedingJourney() {
  const { context, userDataDir } = await launch();
  try {
    const page = await context.newPage();
    await startAndSignIn(page);
    const { address, amount } = await findAddress(page, process.env.GAAP_JOURNEY_POSTCODE || 'SW1A 2AA');
    await payWithCard(page, CARD_OK, amount);
    await page.locator('.govuk-panel').waitFor();
    expect((await heading(page)) === 'Payment complete', 'confirmation panel title');
    const reference = (await page.locator('#payment-reference').innerText()).trim();
    expect(/^CT-\d{6}$/.test(reference), `payment reference shown (${reference})`);
    await checkA11y(page, 'confirmation');

    const sent = JSON.stringify(await outbox());
    expect(sent.includes(reference), `the email receipt with ${reference} is in the sandbox outbox`);
    expect(sent.includes(address.split(',')[0]), 'the receipt names the address');
    console.log(`ok - paid, reference ${reference}, receipt in the outbox`);

    // Sign out: the session ends here and at One Login, which sends the browser back to the service.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.href.startsWith(`${appUrl}/signed-out`));
    expect((await heading(page)) === 'You have signed out', `signed-out page heading (at ${page.url()})`);
    await checkA11y(page, 'signed out');
    await page.goto(`${appUrl}/postcode`);
    await page.waitForLoadState();
    expect(!page.url().startsWith(appUrl), `signed out, the service sends the browser to sign in again (at ${page.url()})`);
    console.log('ok - signed out here and at One Login');
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function declinedJourney() {
  const { context, userDataDir } = await launch();
  try {
    const page = await context.newPage();
    await startAndSignIn(page);
    const { amount } = await findAddress(page, process.env.GAAP_JOURNEY_POSTCODE || 'SW1A 2AA');
    // Ids only: earlier messages move from created to sending to delivered while this journey runs.
    const before = outboxIds(await outbox());
    await payWithCard(page, CARD_DECLINED, amount);
    expect((await heading(page)) === 'Your payment was declined', 'declined page heading');
    expect((await page.locator('.govuk-error-summary').innerText()).includes('Your card was declined'), 'declined error summary');
    expect((await page.locator('a.govuk-back-link').count()) === 1, 'declined page has a back link');
    await checkA11y(page, 'payment declined');
    const after = outboxIds(await outbox());
    expect(before === after, 'no receipt is sent for a declined card');

    // A way back: try again, then cancel on the card page.
    await page.getByRole('link', { name: 'Try paying again' }).click();
    await page.waitForURL(`${appUrl}/amount-due`);
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForLoadState();
    await page.getByRole('button', { name: /cancel payment/i }).click();
    await page.waitForLoadState();
    await leavePay(page);
    expect((await heading(page)) === 'Your payment was cancelled', `cancelled page heading (at ${page.url()})`);
    expect((await page.locator('.govuk-error-summary').count()) === 1, 'cancelled page has an error summary');
    await checkA11y(page, 'payment cancelled');
    console.log('ok - declined card and cancelled payment each lead to a clear page');
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function failedSignIn() {
  const { context, userDataDir } = await launch();
  try {
    const page = await context.newPage();
    await page.goto(`${appUrl}/start`);
    await page.waitForLoadState();
    await signIn(page, { fail: true });
    expect(page.url().startsWith(appUrl), `back at the service after a refused sign-in, got ${page.url()}`);
    expect((await heading(page)) === 'You could not be signed in', 'failed sign-in heading');
    expect((await page.locator('.govuk-error-summary').count()) === 1, 'failed sign-in error summary');
    expect((await page.getByRole('link', { name: 'Try signing in again' }).count()) === 1, 'a way to try again');
    await checkA11y(page, 'sign-in failed');
    console.log('ok - failed sign-in leads to a clear page');
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

for (const [name, run] of [
  ['succeeding card', succeedingJourney],
  ['declined card', declinedJourney],
  ['failed sign-in', failedSignIn],
]) {
  try {
    await run();
  } catch (err) {
    failures.push(`${name}: ${err.message}`);
  }
}
if (cspViolations.length > 0) failures.push(`CSP violations: ${cspViolations.join(' | ')}`);
const checked = a11yReport.length;
console.log(`axe-core checked ${checked} pages`);
console.log(`GOV.UK look checked on ${looks.length} pages, ${shots} screenshots`);
if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log('journey passed');
