import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { Case } from '../../../functions/core/case';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import { describeCounts, ReliabilityRecorder } from '../../support/reliability/reliability-results';
import { awaitingCase, APPROVAL_MESSAGE } from '../../support/slack/case-fixture';
import { buttonClickBody, signSlackRequest, slashCommandBody } from '../../support/slack/signed-requests';
import {
  ALICE,
  BOB,
  CHANNEL,
  MALLORY,
  SIGNING_SECRET,
  eventually,
  startSlackAppHarness,
  type SlackAppHarness,
} from '../slack/slack-app-harness';

/**
 * Forgery and abuse against the real Bolt app over HTTP (`POST /slack/events`): forged signatures,
 * stale and replayed requests, wrong content types, oversized bodies, an outsider's click and a
 * self-approval under four-eyes. Each must be refused and change nothing: no case write, no evidence,
 * no answer to the workflow, nothing posted to Slack (except a private "no" to the clicker).
 */

jest.setTimeout(60_000);

const TOKEN = 'SECRET-TASK-TOKEN-approval-1';
const recorder = new ReliabilityRecorder('slack-forgery', 'test/integration/reliability/slack-forgery.test.ts');
let h: SlackAppHarness | undefined;

afterEach(async () => {
  // Whatever was sent, the task token never went to Slack.
  if (h) expect(h.slack.everythingSent()).not.toContain(TOKEN);
  await h?.stop();
  h = undefined;
});

afterAll(async () => {
  await recorder.flush();
});

/** Everything a request could have changed. */
async function snapshot(harness: SlackAppHarness) {
  return {
    cases: await harness.cases.list(),
    evidence: harness.evidence.events.length,
    successes: harness.callbacks.successes.length,
    failures: harness.callbacks.failures.length,
    started: harness.starter.started.length,
    // What others would see: messages posted or changed, modals opened (reads and private answers aside).
    posted: harness.slack.calls.filter((c) => ['chat.postMessage', 'chat.update', 'views.open'].includes(c.method))
      .length,
  };
}

function click(c: Case, user = ALICE, actionId: string = ACTION_IDS.delete): string {
  return buttonClickBody({ user, actionId, value: c.caseId, channel: CHANNEL, messageTs: APPROVAL_MESSAGE.ts });
}

/** A raw POST to the app with exactly these headers (nothing added, nothing signed). */
async function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers, body });
  await response.arrayBuffer();
  return response.status;
}

function tallyStatuses(statuses: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[String(s)] = (counts[String(s)] ?? 0) + 1;
  return counts;
}

function refusedCount(statuses: number[]): number {
  return statuses.filter((s) => s >= 400 && s < 500).length;
}

describe('requests that do not come from Slack', () => {
  it('refuses every forged signature with 401 and changes nothing', async () => {
    // Prepare
    const c = awaitingCase();
    h = await startSlackAppHarness([c]);
    const before = await snapshot(h);
    const body = click(c);
    const statuses: number[] = [];
    const forgedSignature = fc.oneof(
      // Right format, random digest.
      fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `v0=${hex}`),
      // The body signed with another secret.
      fc
        .string({ minLength: 1, maxLength: 64 })
        .map((secret) => signSlackRequest(`x${secret}`, body)['x-slack-signature']),
      // Another version, no version, garbage.
      fc.stringMatching(/^[0-9a-f]{64}$/).map((hex) => `v1=${hex}`),
      fc.string({ maxLength: 200 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
    );
    // Act
    await fc.assert(
      fc.asyncProperty(forgedSignature, async (signature) => {
        const status = await post(h!.eventsUrl, body, {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
          'x-slack-signature': signature,
        });
        statuses.push(status);
        return status === 401;
      }),
      { numRuns: 150 },
    );
    // Assess
    const after = await snapshot(h);
    recorder.add({
      id: 'forgery.forged-signatures',
      section: 'forgery',
      title: 'Forged signatures',
      injected: `${statuses.length} signed-looking "Delete" clicks with random digests, other secrets, other versions, garbage`,
      outcome: `HTTP ${describeCounts(tallyStatuses(statuses))}; state changes: ${JSON.stringify(after) === JSON.stringify(before) ? 0 : 1}`,
      counts: {
        requests: statuses.length,
        refused: refusedCount(statuses),
        accepted: statuses.length - refusedCount(statuses),
      },
      holds: refusedCount(statuses) === statuses.length && JSON.stringify(after) === JSON.stringify(before),
    });
    expect(after).toEqual(before);
  });

  it('refuses correctly signed requests older than five minutes (stale or replayed) and changes nothing', async () => {
    // Prepare
    const c = awaitingCase();
    h = await startSlackAppHarness([c]);
    const before = await snapshot(h);
    const statuses: number[] = [];
    // Act: signed with the real secret, but 5 minutes + 1 second to 30 days old.
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 301, max: 30 * 86_400 }), async (age) => {
        const timestamp = Math.floor(Date.now() / 1000) - age;
        const { status } = await h!.send(click(c), { timestamp });
        statuses.push(status);
        return status === 401;
      }),
      { numRuns: 60 },
    );
    // Assess
    const after = await snapshot(h);
    recorder.add({
      id: 'forgery.stale-timestamps',
      section: 'forgery',
      title: 'Stale and replayed timestamps (> 5 minutes)',
      injected: `${statuses.length} clicks signed with the real secret, 301 s to 30 days old`,
      outcome: `HTTP ${describeCounts(tallyStatuses(statuses))}`,
      counts: {
        requests: statuses.length,
        refused: refusedCount(statuses),
        accepted: statuses.length - refusedCount(statuses),
      },
      holds: refusedCount(statuses) === statuses.length && JSON.stringify(after) === JSON.stringify(before),
    });
    expect(after).toEqual(before);
  });

  it('decides once when a genuine click is replayed within the five minutes', async () => {
    // Prepare: one genuine signed click, captured and sent again and again with its own headers.
    const c = awaitingCase();
    h = await startSlackAppHarness([c]);
    const body = click(c);
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      ...signSlackRequest(SIGNING_SECRET, body),
    };
    // Act
    const first = await post(h.eventsUrl, body, headers);
    await eventually(() => h!.callbacks.successes.length === 1);
    const afterFirst = await snapshot(h);
    const replays = await Promise.all(Array.from({ length: 20 }, () => post(h!.eventsUrl, body, headers)));
    // Assess
    const after = await snapshot(h);
    const decisions = h.evidence.events.filter((e) => e.type === 'decision').length;
    recorder.add({
      id: 'forgery.replay-within-window',
      section: 'forgery',
      title: 'A genuine click replayed 20 times within five minutes',
      injected: 'the same signed body and headers sent again (Slack signatures carry no nonce)',
      outcome: `first: HTTP ${first}, decided; replays: HTTP ${describeCounts(tallyStatuses(replays))}, decisions sent to the workflow: ${after.successes}`,
      counts: {
        requests: replays.length + 1,
        decisionsSentToWorkflow: after.successes,
        decisionRecords: decisions,
        replaysThatChangedSomething: after.cases[0]!.version === afterFirst.cases[0]!.version ? 0 : 1,
      },
      holds: after.successes === 1 && after.cases[0]!.version === afterFirst.cases[0]!.version,
    });
    expect(first).toBe(200);
    expect(after.successes).toBe(1);
    expect(after.cases).toEqual(afterFirst.cases);
    expect(after.evidence).toBe(afterFirst.evidence);
  });

  it('refuses wrong content types, missing or doubled headers and unsigned ssl_check smuggling, and changes nothing', async () => {
    // Prepare
    const c = awaitingCase();
    h = await startSlackAppHarness([c]);
    const before = await snapshot(h);
    const body = click(c);
    const payload = new URLSearchParams(body).get('payload')!;
    const now = String(Math.floor(Date.now() / 1000));
    const unsigned = { 'x-slack-request-timestamp': now, 'x-slack-signature': `v0=${'0'.repeat(64)}` };
    const genuine = signSlackRequest(SIGNING_SECRET, body);
    const attempts: [string, string, Record<string, string>][] = [
      ['JSON body, forged signature', payload, { 'content-type': 'application/json', ...unsigned }],
      ['text/plain, forged signature', body, { 'content-type': 'text/plain', ...unsigned }],
      ['multipart, forged signature', body, { 'content-type': 'multipart/form-data; boundary=x', ...unsigned }],
      ['no content type, forged signature', body, unsigned],
      [
        'no signature header',
        body,
        { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': now },
      ],
      [
        'no timestamp header',
        body,
        { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': unsigned['x-slack-signature'] },
      ],
      [
        'non-numeric timestamp',
        body,
        {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': 'now',
          'x-slack-signature': signSlackRequest(SIGNING_SECRET, body)['x-slack-signature'],
        },
      ],
      [
        'signature of another body',
        body,
        { 'content-type': 'application/x-www-form-urlencoded', ...signSlackRequest(SIGNING_SECRET, click(c, BOB)) },
      ],
      ['a genuine signed click re-sent as JSON', body, { 'content-type': 'application/json', ...genuine }],
      [
        'a doubled signature header',
        body,
        {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': genuine['x-slack-request-timestamp'],
          'x-slack-signature': `${genuine['x-slack-signature']}, ${genuine['x-slack-signature']}`,
        },
      ],
    ];
    // Act
    const statuses: number[] = [];
    for (const [, raw, headers] of attempts) statuses.push(await post(h.eventsUrl, raw, headers));
    // ssl_check is answered without a signature, as Slack's docs require; the payload riding along must be ignored.
    const smuggled = await post(h.eventsUrl, `ssl_check=1&${body}`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    // Assess
    const after = await snapshot(h);
    const refusedAll = statuses.every((s) => s >= 400 && s < 500);
    recorder.add({
      id: 'forgery.malformed-requests',
      section: 'forgery',
      title: 'Wrong content types, missing or doubled headers, ssl_check smuggling',
      injected: `${attempts.length} malformed "Delete" clicks (${attempts.map(([name]) => name).join('; ')}) + 1 unsigned ssl_check carrying a click`,
      outcome: `HTTP ${describeCounts(tallyStatuses(statuses))}; ssl_check: HTTP ${smuggled} with the payload ignored`,
      counts: {
        requests: attempts.length + 1,
        refused: refusedCount(statuses),
        sslCheckAnswered: smuggled === 200 ? 1 : 0,
      },
      holds: refusedAll && JSON.stringify(after) === JSON.stringify(before),
    });
    expect(Object.fromEntries(attempts.map(([name], i) => [name, statuses[i]! >= 400 && statuses[i]! < 500]))).toEqual(
      Object.fromEntries(attempts.map(([name]) => [name, true])),
    );
    expect(smuggled).toBe(200);
    expect(after).toEqual(before);
  });

  it('refuses oversized bodies with 413 and changes nothing', async () => {
    // Prepare
    const c = awaitingCase();
    h = await startSlackAppHarness([c]);
    const before = await snapshot(h);
    const sizes = [4 * 1024 * 1024 + 1];
    // Act: a genuine click padded past Bolt's 4 MB limit, signed and unsigned.
    const statuses: number[] = [];
    for (const size of sizes) {
      const body = `${click(c)}&pad=${'a'.repeat(size)}`;
      statuses.push(
        await post(h.eventsUrl, body, {
          'content-type': 'application/x-www-form-urlencoded',
          ...signSlackRequest(SIGNING_SECRET, body),
        }),
      );
      statuses.push(await post(h.eventsUrl, body, { 'content-type': 'application/x-www-form-urlencoded' }));
    }
    // Assess
    const after = await snapshot(h);
    recorder.add({
      id: 'forgery.oversized-bodies',
      section: 'forgery',
      title: 'Oversized bodies',
      injected: `${statuses.length} clicks padded past 4 MB (Bolt's body limit), signed and unsigned`,
      outcome: `HTTP ${describeCounts(tallyStatuses(statuses))}`,
      counts: { requests: statuses.length, refused: refusedCount(statuses) },
      holds: statuses.every((s) => s === 413) && JSON.stringify(after) === JSON.stringify(before),
    });
    expect(statuses).toEqual(statuses.map(() => 413));
    expect(after).toEqual(before);
  });
});

describe('genuine requests from people who may not decide', () => {
  it("refuses an outsider's clicks and slash commands, tells them, and changes nothing", async () => {
    // Prepare
    const c = awaitingCase();
    h = await startSlackAppHarness([c]);
    const before = await snapshot(h);
    const actions = [ACTION_IDS.delete, ACTION_IDS.runbook];
    // Act
    const statuses: number[] = [];
    for (const actionId of actions) statuses.push((await h.send(click(c, MALLORY, actionId))).status);
    const toldMallory = await eventually(() => {
      const told = h!.slack.callsTo('chat.postEphemeral').filter((x) => x.args.user === MALLORY.id);
      return told.length >= actions.length ? told.length : undefined;
    });
    // Assess
    const after = await snapshot(h);
    recorder.add({
      id: 'forgery.outsider-click',
      section: 'forgery',
      title: "An outsider's clicks (signed, from Slack)",
      injected: `${actions.length} genuine "Delete"/"Runbook" clicks by a user outside the approver group`,
      outcome: `HTTP ${describeCounts(tallyStatuses(statuses))}; refused and told privately ${toldMallory} time(s); decisions: ${after.successes}`,
      counts: {
        requests: actions.length,
        refused: actions.length - after.successes,
        told: toldMallory,
        decisions: after.successes,
      },
      holds: after.successes === 0 && JSON.stringify(after) === JSON.stringify(before),
    });
    expect(after).toEqual(before);
    expect(toldMallory).toBe(actions.length);
  });

  it('does not let one approver supply both approvals under four-eyes', async () => {
    // Prepare
    const c = awaitingCase({ requiredApprovals: 2 });
    h = await startSlackAppHarness([c]);
    // Act: alice clicks "Delete" twice (two genuine requests), then changes her vote to "Runbook"
    // (allowed until the case is decided), then bob agrees with her final choice.
    const own = [
      await h.send(click(c, ALICE, ACTION_IDS.delete)),
      await h.send(click(c, ALICE, ACTION_IDS.delete)),
      await h.send(click(c, ALICE, ACTION_IDS.runbook)),
    ];
    const afterAlice = await h.cases.get(c.caseId);
    const successesAfterAlice = h.callbacks.successes.length;
    await h.send(click(c, BOB, ACTION_IDS.runbook));
    await eventually(() => h!.callbacks.successes.length === 1);
    // Assess
    const decided = await h.cases.get(c.caseId);
    const approvers = decided.decision?.approvers.map((a) => a.userId) ?? [];
    recorder.add({
      id: 'forgery.self-second-approval',
      section: 'forgery',
      title: 'Self second approval under four-eyes (REQUIRED_APPROVALS=2)',
      injected: 'the same approver clicks "Delete" twice and changes to "Runbook"; then a second approver agrees',
      outcome: `votes counted for the first approver: ${afterAlice.approval?.votes.length ?? 0}; decision after her clicks: ${successesAfterAlice}; decided by ${approvers.length} distinct approvers`,
      counts: {
        requests: own.length + 1,
        refused: own.length - (afterAlice.approval?.votes.length ?? 0),
        decisionsBeforeSecondApprover: successesAfterAlice,
        distinctApprovers: new Set(approvers).size,
      },
      holds: successesAfterAlice === 0 && new Set(approvers).size === 2,
    });
    expect(own.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(afterAlice.approval?.votes.map((v) => [v.userId, v.action])).toEqual([[ALICE.id, 'runbook']]);
    expect(afterAlice.decision).toBeUndefined();
    expect(successesAfterAlice).toBe(0);
    expect(new Set(approvers)).toEqual(new Set([ALICE.id, BOB.id]));
  });

  it('refuses a forged slash command the same way as a forged click', async () => {
    // Prepare
    h = await startSlackAppHarness([]);
    const body = slashCommandBody({
      user: ALICE,
      text: 'scan 111122223333',
      channel: CHANNEL,
      responseUrl: h.slack.responseUrl('x'),
    });
    const forged = `v0=${createHmac('sha256', 'guessed-secret')
      .update(`v0:${Math.floor(Date.now() / 1000)}:${body}`)
      .digest('hex')}`;
    // Act
    const response = await h.send(body, { signature: forged });
    // Assess
    expect(response.status).toBe(401);
    expect(h.starter.started).toHaveLength(0);
    expect(h.slack.calls).toHaveLength(0);
  });
});
