import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUERY } from '../src/server.js';
import { DEMO_TOKENS } from '../src/simulator/simulator.js';
import { type Listener, listen, type Stack, startStack } from './helpers.js';

/** Debian's Chromium (`apt-get install -y chromium`, done by .ci/run); playwright-core never downloads one. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('./artifacts/', import.meta.url);

let stack: Stack;
let server: Listener;
let browser: Browser | undefined;

beforeAll(async () => {
  // No graphiqlToken: the headers editor starts with a placeholder the test must replace.
  stack = await startStack();
  server = await listen(stack.yoga);
});

/** Debian's Chromium, headless. Fails (never skips) when it is not installed: CI installs it. */
async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `expected Chromium at ${CHROMIUM} for the GraphiQL browser test, got: no such file. ` +
        'Install it with `apt-get update && apt-get install -y chromium` (.ci/run does).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await stack?.close();
});

describe('GraphiQL in a real browser', () => {
  it('opens with the overview query, takes a token in the headers editor and shows the seed numbers', async () => {
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // Everything GraphiQL needs is inlined: a request to another origin (a CDN) fails the test.
    const foreign: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !/^(data|blob):/.test(request.url())) {
        foreign.push(request.url());
      }
    });

    await page.goto(`${server.url}/graphql`);
    expect(await page.title()).toBe('sms-graph');
    const operation = page.locator('.monaco-editor[data-uri$="-operation.graphql"]');
    await operation.waitFor({ timeout: 15_000 });
    // GraphiQL keeps its tabs (the operation editor's document) in localStorage.
    const tabQuery = await page.waitForFunction(() => {
      const state = localStorage.getItem('graphiql:tabState');
      return state === null ? undefined : (JSON.parse(state) as { tabs: { query: string }[] }).tabs[0]?.query;
    });
    expect(await tabQuery.jsonValue()).toBe(DEFAULT_QUERY);

    // Monaco editors take keyboard input, not fill(): replace the placeholder header.
    const headers = page.locator('.monaco-editor[data-uri$="-request-headers.json"]');
    await headers.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    await page.keyboard.insertText(JSON.stringify({ 'X-Auth-Token': DEMO_TOKENS.seed }));
    await page.locator('.graphiql-execute-button').click();

    const response = page.locator('.graphiql-response');
    await expect
      .poll(async () => (await response.textContent())?.replace(/\u00a0/g, ' '), { timeout: 15_000 })
      .toContain('"needsAttention": 3');
    const text = (await response.textContent())?.replace(/\u00a0/g, ' ');
    expect(text).toContain('"total": 24');
    expect(text).toContain('"unconfigured": 13');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('graphiql.png', ARTIFACTS).pathname });
    // The token typed into the headers editor is the one the SMS API received, once.
    expect(stack.sim.calls.map((c) => [c.path, c.token])).toEqual([
      ['/v3/sources/overview', DEMO_TOKENS.seed],
    ]);
    expect(foreign).toEqual([]);
  }, 30_000);
});
