import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/e2e/chromium';
import { startSandboxServer, type RunningSandbox } from '../../sandbox/sandbox-server';
import { expectEvidenceVerifiedByCli } from '../support/e2e/verify-evidence-cli';
import { step } from '../support/e2e/story-step';

/**
 * The sandbox as a person meets it: Debian's Chromium driven by playwright-core against the real
 * sandbox server (synthesized state machine, real Bolt app, Slack stand-in page).
 */
jest.setTimeout(600_000);

const PAYMENTS = '333333333333';
const MANAGEMENT = '111111111111';

let sandbox: RunningSandbox;
let port: number;
let browser: Browser;
let page: Page;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rootkey-e2e-'));
  sandbox = await startSandboxServer({ dataDir, port: 0, host: '127.0.0.1', env: {}, sweepOnStart: true, waitMs: 100 });
  port = Number(new URL(sandbox.url).port);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(sandbox.url);
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Text of the page's Slack messages (what people read), as rendered. */
async function messagesText(): Promise<string> {
  return page.locator('[data-testid=messages]').innerText();
}

/**
 * Nothing is cut off at this width: no panel scrolls sideways, and the diagram fits its panel.
 * Also keeps a screenshot for people to look at (test output folder).
 */
async function expectNothingCutOff(name: string): Promise<void> {
  const overflow = await page.evaluate(() => {
    const panels = ['body', 'main', '.slack', '.messages', '.side', '#cases', '#diagram', '.banner'];
    return panels
      .map((sel) => document.querySelector(sel) as HTMLElement | null)
      .filter((n): n is HTMLElement => n !== null && n.clientWidth > 0)
      .filter((n) => n.scrollWidth > n.clientWidth + 1)
      .map(
        (n) =>
          `${n.tagName.toLowerCase()}${n.id ? `#${n.id}` : ''}.${n.className}: ${n.scrollWidth} > ${n.clientWidth}`,
      );
  });
  expect(overflow).toEqual([]);
  // Both boxes in one evaluate: the diagram redraws on every poll, so a locator found and then
  // measured can point at an SVG that has just been replaced (its box is then null).
  const widths = await page.evaluate(() => {
    const svg = document.querySelector('[data-testid=diagram-svg]');
    const panel = document.querySelector('#diagram');
    return svg && panel ? { svg: svg.getBoundingClientRect().width, panel: panel.getBoundingClientRect().width } : null;
  });
  if (widths) expect(widths.svg).toBeLessThanOrEqual(widths.panel + 1);
  const dir = join(process.cwd(), 'test-results', 'e2e');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}

async function actAs(name: 'alice' | 'bob' | 'mallory'): Promise<void> {
  const option = page.locator('[data-testid=user-picker] option', { hasText: `@${name}` });
  await page.selectOption('[data-testid=user-picker]', (await option.getAttribute('value')) ?? '');
}

/** What the top-level message itself says, without its thread. */
async function ownText(accountId: string): Promise<string> {
  return approvalMessage(accountId).evaluate((node) => {
    const copy = node.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('[data-testid=thread]').forEach((t) => t.remove());
    document.body.append(copy);
    const text = copy.innerText;
    copy.remove();
    return text;
  });
}

async function waitForOwnText(accountId: string, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const until = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < until) {
    text = await ownText(accountId);
    if (pattern.test(text)) return text;
    await page.waitForTimeout(200);
  }
  throw new Error(`The approval message of ${accountId} never matched ${String(pattern)}: ${text}`);
}

function approvalMessage(accountId: string) {
  return page
    .locator('[data-testid=message]', { hasText: 'Root user access key found' })
    .filter({ hasText: accountId });
}

async function caseStatus(accountId: string): Promise<string> {
  const res = await fetch(`${sandbox.url}/api/cases`);
  const body = (await res.json()) as { cases: { accountId: string; status: string }[] };
  const mine = body.cases.filter((c) => c.accountId === accountId);
  return mine[mine.length - 1]?.status ?? 'none';
}

/**
 * The text of the newest thread reply that offers "Step done", read in one step in the page: the page
 * re-renders as it polls, so a locator found first and read after may no longer exist.
 */
function newestStepText(): Promise<string> {
  return page.evaluate(() => {
    const buttons = Array.from(document.querySelectorAll('[data-testid=reply] button')).filter((b) =>
      (b.textContent ?? '').trim().startsWith('Step done'),
    );
    const reply = buttons[buttons.length - 1]?.closest('[data-testid=reply]') as HTMLElement | null | undefined;
    return (reply?.innerText ?? '').toLowerCase();
  });
}

async function waitForStatus(accountId: string, status: string, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if ((await caseStatus(accountId)) === status) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Case of ${accountId} did not reach ${status} (now ${await caseStatus(accountId)})`);
}

it("the README's story: sweep, refusal, deletion, guided runbook, diagram and report, restarts, verifiable evidence", async () => {
  await step('shows approval requests for both accounts with root keys once the sweep has run', async () => {
    // Prepare / Act: the sweep started with the sandbox.
    await expect(approvalMessage(PAYMENTS).waitFor({ timeout: 30_000 })).resolves.toBeUndefined();
    await approvalMessage(MANAGEMENT).waitFor({ timeout: 30_000 });
    // Assess: automated deletion is offered only where AssumeRoot can do it.
    await expect(approvalMessage(PAYMENTS).getByRole('button', { name: 'Delete the key' }).count()).resolves.toBe(1);
    await expect(approvalMessage(MANAGEMENT).getByRole('button', { name: 'Delete the key' }).count()).resolves.toBe(0);
    // One message per case: the compliant accounts post nothing.
    const text = await messagesText();
    expect(text).not.toContain('security-tooling');
    expect(text).not.toContain('logging');
    // The banner says what a restart does; the cases that need action come first.
    await expect(page.locator('[data-testid=banner]').innerText()).resolves.toMatch(
      /simulated organization starts fresh on every start/,
    );
    await page.locator('[data-testid=case-needs-action]').first().waitFor({ timeout: 15_000 });
    const firstCard = page.locator('[data-testid=case]').first();
    await expect(firstCard.locator('[data-testid=case-needs-action]').count()).resolves.toBe(1);
    await expectNothingCutOff('1-approval-requests');
  });

  await step('refuses the outsider: an ephemeral answer, and the case keeps waiting', async () => {
    await actAs('mallory');
    await approvalMessage(PAYMENTS).getByRole('button', { name: 'Delete the key' }).click();
    await page.locator('[data-testid=confirm-yes]').click();
    await page.locator('.msg.ephemeral', { hasText: 'not an approver' }).waitFor({ timeout: 15_000 });
    expect(await caseStatus(PAYMENTS)).toBe('awaiting-approval');
  });

  await step('lets an approver delete the key, then shows the decision and the verified outcome', async () => {
    await actAs('alice');
    await approvalMessage(PAYMENTS).getByRole('button', { name: 'Delete the key' }).click();
    await page.locator('[data-testid=confirm-yes]').click();
    await waitForStatus(PAYMENTS, 'remediated');
    // The buttons are gone from the request once decided.
    // The page polls: wait for it to show the decided message, whose buttons are gone.
    // (Only the decision buttons: the thread below the request later gets the "Prevent recurrence…" offer.)
    await approvalMessage(PAYMENTS)
      .locator('[data-action-id^="rootkey.decide."]')
      .first()
      .waitFor({ state: 'detached', timeout: 15_000 });
    await page
      .locator('[data-case-id][data-status=remediated]', { hasText: 'payments-prod' })
      .waitFor({ timeout: 15_000 });
    // The request itself now tells how the case ended: outcome, evidence digest, a link to the report.
    const request = approvalMessage(PAYMENTS);
    const requestText = await waitForOwnText(PAYMENTS, /Evidence: sha256:[0-9a-f]{64}/);
    expect(requestText).toMatch(/Remediated/);
    expect(requestText).not.toMatch(/\bDeleting\b/);
    const href = await request.getByRole('link', { name: 'Open the report' }).first().getAttribute('href');
    expect(href).toMatch(/\/evidence\/reports\/RK-333333333333-.*\.html$/);
    expect((await fetch(href!)).status).toBe(200);
    // Emoji codes are drawn as emoji, not left as text.
    expect(await messagesText()).not.toMatch(/:[a-z_]+:/);
  });

  await step('walks the management account through the guided runbook until verification passes', async () => {
    await actAs('bob');
    await approvalMessage(MANAGEMENT).getByRole('button', { name: 'Guide me through manual removal' }).click();
    await waitForStatus(MANAGEMENT, 'runbook');
    for (let step = 0; step < 20 && (await caseStatus(MANAGEMENT)) === 'runbook'; step++) {
      const card = page.locator('[data-testid=case]', { hasText: 'management' });
      const operator = card.locator('[data-testid=operator-remove]');
      const current = page.locator('[data-testid=reply] button', { hasText: /^Step done/ }).last();
      // The next step's button, unless the last confirmation already moved the case on to verification.
      const until = Date.now() + 30_000;
      while ((await current.count()) === 0 && (await caseStatus(MANAGEMENT)) === 'runbook' && Date.now() < until) {
        await page.waitForTimeout(200);
      }
      if ((await current.count()) === 0) break;
      const text = await newestStepText();
      if (text.includes('delete') && (await operator.count()) > 0) await operator.click();
      await current.click();
      // Wait until the workflow took the confirmation: the newest step on offer is another one, or the
      // case moved on. (Counting buttons does not tell: a confirmed step loses its button as the next
      // step brings one, so a slow machine would click the same step again.)
      const taken = Date.now() + 15_000;
      while (Date.now() < taken && (await caseStatus(MANAGEMENT)) === 'runbook') {
        if ((await newestStepText()) !== text) break;
        await page.waitForTimeout(200);
      }
    }
    await waitForStatus(MANAGEMENT, 'remediated');
    const requestText = await waitForOwnText(MANAGEMENT, /Evidence: sha256:[0-9a-f]{64}/);
    expect(requestText).toMatch(/Remediated/);
    expect(requestText).not.toMatch(/Guided manual removal|key key/);
    // Runbook text: key details are bullets, never numbered steps ("2. - key …").
    expect(await messagesText()).not.toMatch(/^\d+\. +[-•]/m);
  });

  await step('draws the path the execution took and opens the evidence report', async () => {
    await page.locator('[data-testid=case]', { hasText: 'payments-prod' }).click();
    await page.locator('[data-testid=diagram-svg] [data-visited=true]').first().waitFor({ timeout: 15_000 });
    await expect(page.locator('[data-testid=path-text]').innerText()).resolves.toContain('→');
    const link = page.locator('[data-testid=case]', { hasText: 'payments-prod' }).locator('[data-testid=report-link]');
    await link.waitFor({ timeout: 15_000 });
    const [report] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await report.waitForLoadState();
    await expect(report.content()).resolves.toContain(PAYMENTS);
    await expect(report.locator('body').innerText()).resolves.toMatch(/remediated/i);
    const reportText = await report.locator('body').innerText();
    expect(reportText).not.toMatch(/\bunknown\b/i);
    expect(reportText).not.toMatch(/step \?/);
    await report.close();
    await expectNothingCutOff('2-remediated-with-diagram');
  });

  await step(
    'after restarts: says the server is gone, reconnects, and explains the cases the restart closed',
    async () => {
      // Restart 1: the simulated organization starts fresh (the deleted keys are back) and the sweep opens new cases.
      await sandbox.close();
      await page.locator('[data-testid=connection]', { hasText: /unreachable|starting/ }).waitFor({ timeout: 15_000 });
      sandbox = await startSandboxServer({
        dataDir,
        port,
        host: '127.0.0.1',
        env: {},
        sweepOnStart: true,
        waitMs: 100,
      });
      await page.locator('[data-testid=connection]').waitFor({ state: 'hidden', timeout: 30_000 });
      await page.locator('[data-testid=banner]', { hasText: 'from an earlier run' }).waitFor({ timeout: 15_000 });
      await approvalMessage(PAYMENTS).waitFor({ timeout: 30_000 });
      await waitForStatus(PAYMENTS, 'awaiting-approval');

      // Restart 2 while that case waits: it is closed as failed, with its reason and its report.
      await sandbox.close();
      sandbox = await startSandboxServer({
        dataDir,
        port,
        host: '127.0.0.1',
        env: {},
        sweepOnStart: false,
        waitMs: 100,
      });
      await page.locator('[data-testid=connection]').waitFor({ state: 'hidden', timeout: 30_000 });
      const failed = page.locator('[data-testid=case][data-status=failed]', { hasText: 'payments-prod' }).first();
      await failed.waitFor({ timeout: 15_000 });
      await expect(failed.locator('[data-testid=case-outcome]').innerText()).resolves.toMatch(
        /sandbox stopped while this case was open/,
      );
      const link = failed.locator('[data-testid=report-link]');
      expect((await fetch(new URL((await link.getAttribute('href'))!, sandbox.url))).status).toBe(200);
      await failed.click();
      await expect(page.locator('#diagram-hint').innerText()).resolves.toMatch(/no execution in this run/);
      await expectNothingCutOff('3-after-restart');
    },
  );

  await step('leaves evidence that `rootkey evidence verify` accepts', async () => {
    await expectEvidenceVerifiedByCli(dataDir);
  });
});
