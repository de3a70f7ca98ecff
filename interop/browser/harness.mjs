// What the browser checks share: the tools from the environment, Chromium launched as this machine allows,
// axe-core on a page, and small assertions.
//
// Needs GAAP_NODE_MODULES (with playwright-core and axe-core) and GAAP_CHROMIUM (a Chromium binary).

import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** playwright-core's chromium and axe-core's source, or exit 2 saying what is missing. */
export function tools() {
  const modules = process.env.GAAP_NODE_MODULES;
  const chromiumPath = process.env.GAAP_CHROMIUM;
  if (!modules || !chromiumPath) {
    console.error('GAAP_NODE_MODULES and GAAP_CHROMIUM must be set');
    process.exit(2);
  }
  const require = createRequire(join(modules, 'noop.js'));
  return { chromium: require('playwright-core').chromium, axeSource: require('axe-core').source, chromiumPath };
}

/** A headless Chromium with a new empty profile and the background traffic a closed network refuses turned off. */
export async function launch({ chromium, chromiumPath }, prefix, options = {}) {
  const userDataDir = mkdtempSync(join(tmpdir(), prefix));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    ...options,
  });
  return { context, userDataDir };
}

/**
 * axe-core's violations on the page. Pages whose CSP forbids inline script still get it: Playwright evaluates
 * the source through the DevTools protocol, which CSP does not block.
 */
export async function axeViolations(page, axeSource) {
  const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
  if (!hasAxe) await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
      where: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary || ''}`.replace(/\s+/g, ' ')),
    }));
  });
}

/** Serious or critical violations, as one line each. */
export function describe(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help} x${v.nodes} [${v.where.join(' | ')}]`).join('; ');
}

export function expect(condition, message) {
  if (!condition) throw new Error(`expectation failed: ${message}`);
}

export async function heading(page) {
  return (await page.locator('h1').first().innerText()).trim();
}
