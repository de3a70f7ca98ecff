// Signs in through gaap-server's One Login gateway in headless Chromium, as a person would, to the docs' PHP
// site (docs/gateway/php-site), and checks the gateway's own pages with axe-core.
// Usage: node interop/browser/gateway.mjs <gateway url> <One Login issuer> <expected sub>
//
// Needs GAAP_NODE_MODULES (with playwright-core and axe-core) and GAAP_CHROMIUM (a Chromium binary).
// Exits 1 with a message on the first failed expectation.

import { rmSync } from 'node:fs';

import { axeViolations, describe, expect, heading, launch as launchChromium, tools } from './harness.mjs';

const [gatewayUrl, issuer, expectedSub] = process.argv.slice(2);
if (!gatewayUrl || !issuer || !expectedSub) {
  console.error('usage: node gateway.mjs <gateway url> <One Login issuer> <expected sub>');
  process.exit(2);
}
const browser = tools();

const failures = [];
let checkedPages = 0;

// axe-core on the current page: any violation on the gateway's own pages fails the run, and a serious or
// critical one on the example site. The gateway's pages forbid
// inline script by CSP, so axe is injected through the page's own context (Playwright evaluates it with CDP,
// which CSP does not block).
async function checkA11y(page, label) {
  const results = await axeViolations(page, browser.axeSource);
  checkedPages += 1;
  for (const v of results) console.log(`axe ${label}: ${v.id} (${v.impact}) x${v.nodes}`);
  // The gateway's own pages must be clean; the example site must have nothing serious.
  const own = label.startsWith('gateway:');
  const bad = results.filter((v) => own || v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) failures.push(`axe on "${label}" (${page.url()}): ${describe(bad)}`);
}

async function launch() {
  return launchChromium(browser, 'gaap-gateway-browser-');
}

// The sandbox's One Login sign-in page: keep the default user, or pick an outcome, and continue.
async function oneLogin(page, outcome) {
  expect(page.url().startsWith(issuer), `expected the One Login sign-in page, got ${page.url()}`);
  if (outcome) await page.getByLabel(outcome, { exact: true }).check();
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  await page.waitForLoadState();
}

async function signInAndStepUp() {
  const { context, userDataDir } = await launch();
  try {
    const page = await context.newPage();
    // A spoofed header from the browser must not reach the site.
    await page.setExtraHTTPHeaders({ 'X-Gaap-Sub': 'urn:fdc:gov.uk:2022:attacker' });
    await page.goto(`${gatewayUrl}/account`);
    await oneLogin(page);
    expect(page.url() === `${gatewayUrl}/account`, `back at /account after sign-in, got ${page.url()}`);
    expect((await heading(page)) === 'Your council account', 'the PHP page heading');
    const sub = (await page.locator('#x-gaap-sub').innerText()).trim();
    expect(sub === expectedSub, `the PHP page got X-Gaap-Sub ${sub}`);
    expect((await page.locator('#email').innerText()).trim() === 'test@example.com', 'email shown');
    expect((await page.locator('#x-gaap-vot').innerText()).trim() === 'Cl.Cm', 'vot Cl.Cm');
    await checkA11y(page, 'PHP page behind the gateway');
    console.log('ok - signed in at Cl.Cm; the PHP page printed the trusted headers');

    // Step-up to the identity route.
    await page.goto(`${gatewayUrl}/apply`);
    await oneLogin(page);
    expect(page.url() === `${gatewayUrl}/apply`, `back at /apply after step-up, got ${page.url()}`);
    expect((await page.locator('#name').innerText()).trim() === 'GEOFFREY HEARNSHAW', 'identity name');
    expect((await page.locator('#birth-date').innerText()).trim() === '1955-04-19', 'identity birth date');
    expect((await page.locator('#x-gaap-vot').innerText()).trim() === 'Cl.Cm.P2', 'vot Cl.Cm.P2');
    console.log('ok - stepped up to Cl.Cm.P2; the PHP page decoded X-Gaap-Identity');

    // The gateway's sign-out confirmation, then sign-out through One Login back to the gateway's page.
    await page.goto(`${gatewayUrl}/_gaap/sign-out`);
    expect((await heading(page)) === 'Sign out', 'sign-out page heading');
    await checkA11y(page, 'gateway: sign out');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForLoadState();
    expect(page.url().startsWith(`${gatewayUrl}/_gaap/signed-out`), `signed-out page, got ${page.url()}`);
    expect((await heading(page)) === 'You have signed out', 'signed-out heading');
    await checkA11y(page, 'gateway: signed out');
    await page.goto(`${gatewayUrl}/account`);
    expect(page.url().startsWith(issuer), `signed out: /account goes to One Login again, got ${page.url()}`);
    console.log('ok - signed out here and at One Login');
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

async function errorPages() {
  const { context, userDataDir } = await launch();
  try {
    const page = await context.newPage();
    await page.goto(`${gatewayUrl}/account`);
    await oneLogin(page, 'access_denied');
    expect((await heading(page)) === 'You have not been signed in', `access_denied page, got ${await heading(page)}`);
    expect((await page.getByRole('link', { name: 'Try signing in again' }).count()) === 1, 'a way to try again');
    await checkA11y(page, 'gateway: access denied');

    await page.goto(`${gatewayUrl}/account`);
    await oneLogin(page, 'temporarily_unavailable');
    expect((await heading(page)).includes('not available'), 'temporarily unavailable page');
    await checkA11y(page, 'gateway: One Login unavailable');

    await page.goto(`${gatewayUrl}/_gaap/sign-in?return_to=https%3A%2F%2Fevil.example%2F`);
    expect(page.url().startsWith(gatewayUrl), 'no redirect off the site');
    expect((await heading(page)) === 'The page address is not valid', 'bad return address page');
    await checkA11y(page, 'gateway: bad return address');

    await page.goto(`${gatewayUrl}/_gaap/callback?state=forged&code=forged`);
    expect((await heading(page)) === 'Your sign-in has expired', 'expired sign-in page');
    await checkA11y(page, 'gateway: sign-in expired');

    await page.goto(`${gatewayUrl}/_gaap/nothing-here`);
    expect((await heading(page)) === 'Page not found', 'not found page');
    await checkA11y(page, 'gateway: not found');
    console.log('ok - the gateway error pages are clear and pass axe');
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

for (const [name, run] of [
  ['sign-in, step-up and sign-out', signInAndStepUp],
  ['error pages', errorPages],
]) {
  try {
    await run();
  } catch (err) {
    failures.push(`${name}: ${err.message}`);
  }
}
console.log(`axe-core checked ${checkedPages} pages`);
if (failures.length > 0) {
  for (const f of failures) console.error(`FAIL ${f}`);
  process.exit(1);
}
console.log('gateway journey passed');
