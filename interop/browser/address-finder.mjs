// Uses gaap-server's address finder in headless Chromium as a person would, with JavaScript on and off,
// and checks every state with axe-core. Usage: node interop/browser/address-finder.mjs <server url> <postcode>
//
// Needs GAAP_NODE_MODULES (with playwright-core and axe-core) and GAAP_CHROMIUM (a Chromium binary).
// GAAP_FINDER_SCREENSHOT, when set, is where a screenshot of the finder after a lookup is written.
// Exits 1 with a message on the first failed expectation of each part.

import { rmSync } from 'node:fs';

import { axeViolations, describe, expect, heading, launch as launchChromium, tools } from './harness.mjs';

const [serverUrl, postcode] = process.argv.slice(2);
if (!serverUrl || !postcode) {
  console.error('usage: node address-finder.mjs <server url> <postcode>');
  process.exit(2);
}
const browser = tools();

const pageUrl = `${serverUrl}/address-finder`;
const failures = [];
let checked = 0;

// axe-core on the current state; a serious or critical violation fails the run. The page's CSP forbids
// inline scripts, so axe is evaluated through the DevTools protocol rather than added as a <script>.
async function checkA11y(page, label) {
  const violations = await axeViolations(page, browser.axeSource);
  checked += 1;
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) failures.push(`axe on "${label}": ${describe(bad)}`);
}

// axe-core cannot run in a page with JavaScript off, so each state of the plain forms (all GET URLs) is
// loaded again in a page with JavaScript on whose finder script is replaced by an empty one: the same
// server HTML, unenhanced.
async function checkA11yWithoutScript(context, url, label) {
  const page = await context.newPage();
  try {
    await page.route('**/assets/gaap-address-finder.js', (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: '' }),
    );
    await page.goto(url);
    expect((await page.locator('[data-gaap-address-finder-ready]').count()) === 0, 'the page is not enhanced');
    await checkA11y(page, label);
  } finally {
    await page.close();
  }
}

async function launch(options) {
  return launchChromium(browser, 'gaap-finder-', options);
}

// Every console error (a CSP refusal included), uncaught exception and failed request fails the run,
// except the answers the finder expects from /v1/locations (400, 404) and the browser's favicon request.
function watch(page, label) {
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
      failures.push(`${label}: console error: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => failures.push(`${label}: page error: ${err.message}`));
  page.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (response.status() >= 400 && path !== '/v1/locations' && path !== '/favicon.ico') {
      failures.push(`${label}: ${response.status()} for ${response.url()}`);
    }
  });
  page.on('requestfailed', (request) => failures.push(`${label}: request failed: ${request.url()}`));
}

// What the server says is at the postcode, to know which address to pick.
async function expectedAddresses() {
  const response = await fetch(`${serverUrl}/v1/locations?postcode=${encodeURIComponent(postcode)}`);
  expect(response.ok, `/v1/locations answered ${response.status}`);
  const body = await response.json();
  expect(body.results.length > 0, `no addresses at ${postcode}`);
  return body.results;
}

async function errorText(page) {
  return (await page.locator('.govuk-error-message:visible').first().innerText()).replace(/\s+/g, ' ').trim();
}

async function withJavaScript(results) {
  const { context, userDataDir } = await launch({});
  try {
    const page = await context.newPage();
    watch(page, 'JavaScript on');
    await page.goto(pageUrl);
    await page.locator('[data-gaap-address-finder-ready]').waitFor();
    expect((await heading(page)) === 'Find an address', 'start heading');
    const find = page.getByRole('button', { name: 'Find address' });
    expect((await find.getAttribute('type')) === 'button', 'the enhanced Find address does not submit the form');
    await checkA11y(page, 'start (JavaScript on)');

    await find.click();
    await page.locator('.govuk-error-message:visible').waitFor();
    expect((await errorText(page)) === 'Error: Enter a postcode', `empty postcode error, got "${await errorText(page)}"`);
    await page.getByRole('status').filter({ hasText: 'Enter a postcode' }).waitFor();

    const input = page.getByLabel('Postcode', { exact: true });
    await input.fill('NOT A POSTCODE');
    await find.click();
    await page.getByRole('status').filter({ hasText: 'Enter a real postcode' }).waitFor();
    expect((await errorText(page)) === 'Error: Enter a real postcode', 'invalid postcode error');
    await checkA11y(page, 'invalid postcode (JavaScript on)');

    await input.fill('SW12 1ZZ');
    await input.press('Enter');
    await page.getByRole('status').filter({ hasText: 'We could not find any addresses' }).waitFor();
    expect(page.url() === pageUrl, 'Enter in the postcode does not submit the form');
    await checkA11y(page, 'no addresses (JavaScript on)');

    await input.fill(postcode.toLowerCase());
    await find.click();
    const found = results.length === 1 ? '1 address found' : `${results.length} addresses found`;
    await page.getByRole('status').filter({ hasText: found }).waitFor();
    expect((await page.locator('.govuk-error-message:visible').count()) === 0, 'the error is gone after a lookup');
    const combobox = page.getByRole('combobox', { name: 'Select an address' });
    await combobox.waitFor();
    await checkA11y(page, 'addresses found (JavaScript on)');

    // Pick through the autocomplete: type part of the address, then choose it from the list.
    const wanted = results[results.length > 1 ? 1 : 0];
    await combobox.click();
    await combobox.fill(wanted.address.split(',')[0]);
    const option = page.getByRole('option', { name: wanted.address, exact: true });
    await option.waitFor();
    if (process.env.GAAP_FINDER_SCREENSHOT) {
      await page.screenshot({ path: process.env.GAAP_FINDER_SCREENSHOT, fullPage: true });
    }
    await checkA11y(page, 'autocomplete open (JavaScript on)');
    await option.click();
    const hidden = async (name) => page.locator(`input[type="hidden"][name="address_${name}"]`).inputValue();
    expect((await hidden('uprn')) === wanted.uprn, `hidden uprn is ${wanted.uprn}, got "${await hidden('uprn')}"`);
    expect((await hidden('postcode')) === wanted.postcode, 'hidden postcode');
    expect((await hidden('line_1')) === wanted.line_1, 'hidden first line');
    expect((await hidden('town')) === wanted.post_town, 'hidden town');
    expect((await combobox.inputValue()) === wanted.address, 'the chosen address shows in the autocomplete');
    await checkA11y(page, 'address chosen (JavaScript on)');

    await page.getByRole('button', { name: 'Use this address' }).click();
    await page.waitForURL(/address_uprn=/);
    expect((await heading(page)) === 'Your address', 'chosen address heading');
    expect((await page.locator('#chosen-uprn').innerText()).trim() === wanted.uprn, 'the chosen UPRN is shown');
    await checkA11y(page, 'your address (JavaScript on)');
    console.log(`ok - JavaScript on: picked ${wanted.uprn} through the autocomplete`);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function withoutJavaScript(results) {
  const { context, userDataDir } = await launch({ javaScriptEnabled: false });
  const axeBrowser = await launch({});
  const checkA11y = (page, label) => checkA11yWithoutScript(axeBrowser.context, page.url(), label);
  try {
    const page = await context.newPage();
    watch(page, 'JavaScript off');
    await page.goto(pageUrl);
    expect((await page.locator('[data-gaap-address-finder-ready]').count()) === 0, 'no script ran');
    expect((await heading(page)) === 'Find an address', 'start heading');
    await checkA11y(page, 'start (JavaScript off)');

    const input = page.getByLabel('Postcode', { exact: true });
    await input.fill('NOT A POSTCODE');
    await page.getByRole('button', { name: 'Find address' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    expect((await page.title()).startsWith('Error: '), 'error page title starts with "Error: "');
    expect((await page.locator('.govuk-error-summary').innerText()).includes('Enter a real postcode'), 'invalid postcode summary');
    expect((await input.inputValue()) === 'NOT A POSTCODE', 'what was typed is kept');
    await checkA11y(page, 'invalid postcode (JavaScript off)');

    await input.fill(postcode);
    await page.getByRole('button', { name: 'Find address' }).click();
    await page.waitForURL(/postcode=/);
    const select = page.getByLabel('Select an address');
    expect((await select.locator('option').count()) === results.length + 1, 'every address is offered');
    await checkA11y(page, 'addresses found (JavaScript off)');

    await page.getByRole('button', { name: 'Use this address' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    expect((await page.locator('.govuk-error-summary').innerText()).includes('Select an address'), 'nothing chosen summary');
    await checkA11y(page, 'nothing chosen (JavaScript off)');

    const wanted = results[0];
    await page.getByLabel('Select an address').selectOption(wanted.uprn);
    await page.getByRole('button', { name: 'Use this address' }).click();
    await page.waitForURL(/uprn=/);
    expect((await heading(page)) === 'Your address', 'chosen address heading');
    expect((await page.locator('#chosen-uprn').innerText()).trim() === wanted.uprn, 'the chosen UPRN is shown');
    expect((await page.locator('#chosen-address').innerText()).includes(wanted.line_1), 'the chosen address is shown');
    await checkA11y(page, 'your address (JavaScript off)');
    console.log(`ok - JavaScript off: chose ${wanted.uprn} through the plain forms`);
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
    await axeBrowser.context.close();
    rmSync(axeBrowser.userDataDir, { recursive: true, force: true });
  }
}

const results = await expectedAddresses();
for (const [name, run] of [
  ['JavaScript on', withJavaScript],
  ['JavaScript off', withoutJavaScript],
]) {
  try {
    await run(results);
  } catch (err) {
    failures.push(`${name}: ${err.message}`);
  }
}
console.log(`axe-core checked ${checked} states`);
if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log('address finder passed');
