import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/e2e/chromium';
import { startSandboxServer, type RunningSandbox } from '../../sandbox/sandbox-server';

/**
 * The sandbox page's controls that sandbox-browser.test.ts does not reach: the /rootkey box, the
 * sweep button's notice, and the reason/expiry modal (its field errors, Cancel and Submit), with no
 * page error and nothing refused by the page's Content-Security-Policy. Each test stands alone: it
 * starts its own sandbox and page.
 */
jest.setTimeout(180_000);

const PAYMENTS = '333333333333';

let sandbox: RunningSandbox;
let browser: Browser;
let page: Page;
let dataDir: string;
const pageErrors: string[] = [];

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rootkey-e2e-controls-'));
  sandbox = await startSandboxServer({ dataDir, port: 0, host: '127.0.0.1', env: {}, sweepOnStart: true, waitMs: 100 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  pageErrors.length = 0;
  page.on('pageerror', (e) => pageErrors.push(e.message));
  // The page runs under a strict CSP (no inline script or style): anything it refuses is a page defect.
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
  await page.goto(sandbox.url);
});

afterEach(async () => {
  await browser?.close();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
  expect(pageErrors).toEqual([]);
});

async function actAs(name: 'alice' | 'bob' | 'mallory'): Promise<void> {
  const option = page.locator('[data-testid=user-picker] option', { hasText: `@${name}` });
  await option.waitFor({ state: 'attached' });
  await page.selectOption('[data-testid=user-picker]', (await option.getAttribute('value')) ?? '');
}

function approvalMessage(accountId: string) {
  return page
    .locator('[data-testid=message]', { hasText: 'Root user access key found' })
    .filter({ hasText: accountId });
}

async function caseStatus(accountId: string): Promise<string> {
  const body = (await (await fetch(`${sandbox.url}/api/cases`)).json()) as {
    cases: { accountId: string; status: string }[];
  };
  return body.cases.filter((c) => c.accountId === accountId).pop()?.status ?? 'none';
}

it('sends /rootkey from the box, clears it, and shows the answer only to the sender', async () => {
  await actAs('alice');
  const input = page.locator('[data-testid=command-input]');
  await input.fill('/rootkey help');
  await input.press('Enter');

  const answer = page.locator('[data-testid=message].ephemeral').last();
  await answer.waitFor({ timeout: 15_000 });
  await expect(answer.innerText()).resolves.toContain('only visible to you');
  await expect(input.inputValue()).resolves.toBe('');
});

it('says the sweep started when the sweep button is pressed', async () => {
  await page.locator('[data-testid=start-sweep]').click();

  const notice = page.locator('[data-testid=notice]');
  await notice.waitFor({ state: 'visible', timeout: 15_000 });
  await expect(notice.innerText()).resolves.toContain('Sweep started');
});

it('keeps the modal open with the field errors, closes it on Cancel, and accepts the risk on Submit', async () => {
  await actAs('alice');
  const accept = approvalMessage(PAYMENTS).getByRole('button', { name: 'Accept the risk…' });
  await accept.waitFor({ timeout: 60_000 });
  await accept.click();
  const modal = page.locator('[data-testid=modal]');
  await modal.waitFor({ timeout: 15_000 });
  await expect(modal.locator('h3').innerText()).resolves.toBe('Accept the risk');

  // Nothing filled in: the app answers with errors and the modal stays.
  await page.locator('[data-testid=modal-submit]').click();
  await page.locator('[data-testid=modal-error]').first().waitFor({ timeout: 15_000 });
  expect(await caseStatus(PAYMENTS)).toBe('awaiting-approval');

  await modal.getByRole('button', { name: 'Cancel' }).click();
  await modal.waitFor({ state: 'detached', timeout: 15_000 });

  await accept.click();
  await modal.waitFor({ timeout: 15_000 });
  await modal.locator('textarea').fill('The payments batch uses this key until the migration on Friday.');
  const nextWeek = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  await modal.locator('input[type=date]').fill(nextWeek);
  await page.locator('[data-testid=modal-submit]').click();
  await modal.waitFor({ state: 'detached', timeout: 15_000 });

  const until = Date.now() + 30_000;
  while ((await caseStatus(PAYMENTS)) !== 'risk-accepted' && Date.now() < until) await page.waitForTimeout(200);
  expect(await caseStatus(PAYMENTS)).toBe('risk-accepted');
});
