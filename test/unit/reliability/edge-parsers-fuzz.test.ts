import fc from 'fast-check';
import { CASE_ID_PATTERN } from '../../../functions/core/case';
import { InvalidInputError } from '../../../functions/core/errors';
import { normalizeTrigger, type TriggerIntake } from '../../../functions/core/normalize-trigger';
import { parseScenario, parseScenarioText } from '../../../functions/adapters/sim/scenario';
import defaultScenario from '../../../functions/adapters/sim/scenarios/default.json';
import {
  parseSlackSecrets,
  parseSlackSecretValue,
  parseSlackSettings,
} from '../../../functions/adapters/slack/slack-config';
import { parseButtonClick, parseCommand, parseExceptionSubmission } from '../../../slack-app/payloads';
import { hostileJson, hostileString, mutationsOf } from '../../support/reliability/json-mutations';
import { describeCounts, ReliabilityRecorder } from '../../support/reliability/reliability-results';
import {
  rootCreateAccessKeyEvent,
  scheduledEvent,
  securityHubFindingEvent,
} from '../../support/reliability/trigger-events';
import { buttonClickBody, slashCommandBody, viewSubmissionBody } from '../../support/slack/signed-requests';

/**
 * Property-based fuzzing of every parser at the edge: EventBridge events of each trigger type, Slack
 * payloads, Slack settings and secrets, scenario files. Valid documents are mutated (fields deleted,
 * replaced by hostile JSON, nulled, wrapped, stringified) and arbitrary JSON is thrown at each
 * parser. Each input must be accepted as something valid or refused with InvalidInputError naming
 * the problem; anything else (a TypeError, a crash) is counted and fails the test.
 */

const RUNS = 300;
const NOW = new Date('2026-11-28T10:00:00Z');
const ACCOUNT = '123456789012';
const recorder = new ReliabilityRecorder('edge-parsers-fuzz', 'test/unit/reliability/edge-parsers-fuzz.test.ts');

afterAll(async () => {
  await recorder.flush();
});

interface FuzzCounts {
  inputs: number;
  accepted: number;
  refused: number;
  crashed: number;
  /** Accepted inputs by what they were accepted as (e.g. acted on / ignored with a reason). */
  kinds?: Record<string, number>;
}

/**
 * Runs `parse` over `inputs`: accepted results must satisfy `valid`; a refusal must be an
 * InvalidInputError with a message. Returns the counts and the first counterexample, if any.
 */
function fuzz<T>(
  inputs: fc.Arbitrary<unknown>,
  parse: (input: unknown) => T,
  valid: (result: T, input: unknown) => boolean,
  classify: (result: T) => string = () => 'accepted as valid',
): FuzzCounts & { failure?: string } {
  const counts: Required<FuzzCounts> = { inputs: 0, accepted: 0, refused: 0, crashed: 0, kinds: {} };
  let failure: string | undefined;
  fc.assert(
    fc.property(inputs, (input) => {
      counts.inputs += 1;
      let result: T;
      try {
        result = parse(input);
      } catch (error) {
        if (error instanceof InvalidInputError && error.message.length > 0) {
          counts.refused += 1;
          return;
        }
        counts.crashed += 1;
        failure ??= `${(error as Error).name}: ${(error as Error).message} for ${JSON.stringify(input)?.slice(0, 300)}`;
        return;
      }
      if (valid(result, input)) {
        counts.accepted += 1;
        const kind = classify(result);
        counts.kinds[kind] = (counts.kinds[kind] ?? 0) + 1;
      } else {
        counts.crashed += 1;
        failure ??= `accepted an invalid result ${JSON.stringify(result)?.slice(0, 300)} for ${JSON.stringify(input)?.slice(0, 300)}`;
      }
    }),
    { numRuns: RUNS, seed: 20261128 },
  );
  return { ...counts, ...(failure ? { failure } : {}) };
}

function report(id: string, title: string, injected: string, c: FuzzCounts & { failure?: string }): void {
  recorder.add({
    id: `bad-input.${id}`,
    section: 'bad-input',
    title,
    injected,
    outcome: [
      `${c.refused} refused with InvalidInputError`,
      ...(c.accepted > 0 ? [describeCounts(c.kinds ?? { 'accepted as valid': c.accepted })] : []),
      `${c.crashed} crashes`,
    ].join(', '),
    counts: { inputs: c.inputs, refused: c.refused, accepted: c.accepted, crashes: c.crashed },
    holds: c.crashed === 0,
  });
}

const isAccountId = (s: unknown) => typeof s === 'string' && /^\d{12}$/.test(s);
const isDate = (s: unknown) => typeof s === 'string' && !Number.isNaN(Date.parse(s));

const intakeKind = (intake: TriggerIntake) => (intake.ignored ? 'ignored with a reason' : 'acted on');

/** What any accepted intake must look like, whatever the input. */
function validIntake(intake: TriggerIntake): boolean {
  if (intake.ignored) return typeof intake.reason === 'string' && intake.reason.length > 0;
  return isAccountId(intake.trigger.accountId) && isDate(intake.trigger.detectedAt);
}

describe('EventBridge events at the workflow edge (normalizeTrigger)', () => {
  it('never crashes on mutated Security Hub findings, and acts only on FAILED IAM.4 findings', () => {
    const c = fuzz(
      mutationsOf(securityHubFindingEvent(ACCOUNT, undefined, NOW.toISOString())),
      (event) => normalizeTrigger(event, NOW),
      (intake, event) => {
        if (!validIntake(intake)) return false;
        if (intake.ignored) return true;
        // Accepted means the finding really is a FAILED IAM.4 one for that account.
        const findings = (event as { detail: { findings: Record<string, unknown>[] } }).detail.findings;
        return findings.some(
          (f) =>
            f['AwsAccountId'] === intake.trigger.accountId &&
            (f['Compliance'] as { Status?: unknown } | undefined)?.Status === 'FAILED',
        );
      },
      intakeKind,
    );
    report('security-hub-event', 'Security Hub finding events', 'mutated "Findings - Imported" events for IAM.4', c);
    expect(c.failure).toBeUndefined();
    expect(c.refused + c.accepted).toBe(c.inputs);
  });

  it('never crashes on mutated CloudTrail CreateAccessKey events, and never treats an IAM user key as a root key', () => {
    const c = fuzz(
      mutationsOf(rootCreateAccessKeyEvent(ACCOUNT, NOW.toISOString())),
      (event) => normalizeTrigger(event, NOW),
      (intake, event) => {
        if (!validIntake(intake)) return false;
        if (intake.ignored) return true;
        const detail = (event as { detail: Record<string, unknown> }).detail;
        const identity = detail['userIdentity'] as { type?: unknown };
        const params = detail['requestParameters'] as { userName?: unknown } | null | undefined;
        return detail['eventName'] === 'CreateAccessKey' && identity.type === 'Root' && !params?.userName;
      },
      intakeKind,
    );
    report('cloudtrail-event', 'CloudTrail CreateAccessKey events', 'mutated root CreateAccessKey events', c);
    expect(c.failure).toBeUndefined();
  });

  it('never crashes on mutated scheduled events, and never starts a single-account case from one', () => {
    const c = fuzz(
      mutationsOf(scheduledEvent(NOW.toISOString())),
      (event) => normalizeTrigger(event, NOW),
      (intake, event) =>
        validIntake(intake) && (intake.ignored || (event as { source?: unknown }).source !== 'aws.events'),
      intakeKind,
    );
    report('schedule-event', 'Scheduled events', 'mutated "Scheduled Event" events', c);
    expect(c.failure).toBeUndefined();
  });

  it('never crashes on mutated direct starts or on arbitrary JSON', () => {
    const direct = fuzz(
      mutationsOf({ source: 'manual', accountId: ACCOUNT, requestedBy: 'U0ALICE' }),
      (event) => normalizeTrigger(event, NOW),
      validIntake,
      intakeKind,
    );
    const arbitrary = fuzz(hostileJson, (event) => normalizeTrigger(event, NOW), validIntake, intakeKind);
    report('direct-start', 'Direct starts (sweep, manual, acceptance-expired)', 'mutated direct-start inputs', direct);
    report('arbitrary-event', 'Arbitrary JSON as a workflow input', 'any JSON value', arbitrary);
    expect(direct.failure).toBeUndefined();
    expect(arbitrary.failure).toBeUndefined();
    expect(arbitrary.accepted).toBeLessThan(arbitrary.inputs);
  });
});

/** The JSON payload inside a form-encoded Slack body. */
function payloadOf(body: string): unknown {
  return JSON.parse(new URLSearchParams(body).get('payload')!) as unknown;
}

describe('Slack payloads at the app edge', () => {
  const user = { id: 'U0ALICE', name: 'alice' };
  const caseId = 'RK-123456789012-20261128100000-ab12';

  it('never crashes on mutated block_actions payloads, and accepts only a case id as a button value', () => {
    const base = payloadOf(
      buttonClickBody({ user, actionId: 'rootkey.decide.delete', value: caseId, channel: 'C0SEC', messageTs: '1.2' }),
    );
    const c = fuzz(
      fc.oneof(mutationsOf(base), hostileJson),
      parseButtonClick,
      (click) => CASE_ID_PATTERN.test(click.caseId) && /^[A-Z0-9]{2,30}$/.test(click.userId),
    );
    report('slack-block-actions', 'Slack block_actions payloads', 'mutated button clicks and arbitrary JSON', c);
    expect(c.failure).toBeUndefined();
  });

  it('never crashes on mutated view_submission payloads', () => {
    const view = {
      type: 'modal',
      callback_id: 'rootkey.exception',
      private_metadata: JSON.stringify({ caseId, action: 'accept-risk', channel: 'C0SEC', messageTs: '1.2' }),
    };
    const base = payloadOf(
      viewSubmissionBody({
        user,
        view,
        values: {
          'rootkey.exception.reason': { reason: { type: 'plain_text_input', value: 'A documented exception' } },
          'rootkey.exception.expiry': { expiry: { type: 'datepicker', selected_date: '2026-12-31' } },
        },
      }),
    );
    const c = fuzz(
      fc.oneof(mutationsOf(base), hostileJson),
      parseExceptionSubmission,
      (s) => CASE_ID_PATTERN.test(s.metadata.caseId) && ['accept-risk', 'reject'].includes(s.metadata.action),
    );
    report(
      'slack-view-submission',
      'Slack view_submission payloads',
      'mutated exception-modal submissions and arbitrary JSON',
      c,
    );
    expect(c.failure).toBeUndefined();
  });

  it('never crashes on mutated slash command bodies', () => {
    const base = Object.fromEntries(
      new URLSearchParams(
        slashCommandBody({ user, text: 'scan 123456789012', channel: 'C0SEC', responseUrl: 'https://x' }),
      ),
    );
    const c = fuzz(
      fc.oneof(mutationsOf(base), hostileJson),
      parseCommand,
      (cmd) => /^[A-Z0-9]{2,30}$/.test(cmd.userId) && cmd.words.every((w) => w.length > 0 && !/\s/.test(w)),
    );
    report('slack-slash-command', 'Slack slash command bodies', 'mutated /rootkey bodies and arbitrary JSON', c);
    expect(c.failure).toBeUndefined();
  });
});

describe('configuration and scenario files', () => {
  const env = {
    SLACK_CHANNEL: 'C0SECURITY',
    SLACK_APPROVER_GROUP: 'S0SECURITY',
    SLACK_APPROVERS: 'U0ALICE,U0BOB',
    REQUIRED_APPROVALS: '2',
    SLACK_API_URL: 'http://127.0.0.1:3000/slack/api',
    SLACK_ESCALATION_MENTION: 'here',
    SLACK_SIGNING_SECRET: 'signing-secret-value',
    SLACK_BOT_TOKEN: 'xoxb-bot-token-value',
  };

  it('never crashes on mutated Slack settings and never echoes a secret in its error', () => {
    const secrets = fc.record({
      signing: fc.string({ minLength: 12, maxLength: 40 }),
      bot: fc.string({ minLength: 12, maxLength: 40 }),
    });
    const inputs = fc.tuple(mutationsOf(env), secrets).map(([mutated, s]) => ({
      ...(mutated as Record<string, unknown>),
      SLACK_SIGNING_SECRET: `sig-${s.signing}`,
      SLACK_BOT_TOKEN: `tok-${s.bot}`,
    }));
    let echoed = 0;
    const c = fuzz(
      inputs,
      (input) => {
        const values = input as Record<string, string | undefined>;
        try {
          parseSlackSecrets(values);
        } catch (error) {
          // The bot token above never starts with xoxb-: always refused, and its value must not leak.
          const message = (error as Error).message;
          if (message.includes(values.SLACK_BOT_TOKEN!) || message.includes(values.SLACK_SIGNING_SECRET!)) echoed += 1;
        }
        return parseSlackSettings(values);
      },
      (s) => /^[CGD][A-Z0-9]{2,20}$/.test(s.channel) && s.requiredApprovals >= 1 && s.requiredApprovals <= 10,
    );
    const secretValue = fuzz(
      fc.oneof(mutationsOf({ signingSecret: 'signing-secret', botToken: 'xoxb-bot' }), hostileJson),
      parseSlackSecretValue,
      (s) => s.botToken.startsWith('xoxb-') && s.signingSecret.length > 0,
    );
    report('slack-settings', 'Slack settings and secrets from env / Secrets Manager', 'mutated env and secret JSON', {
      inputs: c.inputs + secretValue.inputs,
      accepted: c.accepted + secretValue.accepted,
      refused: c.refused + secretValue.refused,
      crashed: c.crashed + secretValue.crashed + echoed,
    });
    expect(c.failure).toBeUndefined();
    expect(secretValue.failure).toBeUndefined();
    expect(echoed).toBe(0);
  });

  it('never crashes on mutated or arbitrary scenario files', () => {
    const text = fc.oneof(
      mutationsOf(defaultScenario).map((s) => JSON.stringify(s) ?? 'null'),
      hostileString,
      hostileJson.map((j) => JSON.stringify(j) ?? 'null'),
    );
    const c = fuzz(
      text,
      (t) => parseScenarioText(t as string, 'fuzzed scenario'),
      (scenario) => {
        // What the parser accepts must pass it again (idempotent) and name one management account.
        const again = parseScenario(scenario);
        return (
          again.accounts.length > 0 && (scenario.standalone || again.accounts.filter((a) => a.management).length === 1)
        );
      },
    );
    report(
      'scenario-file',
      'Scenario files (sandbox, demo, scan --scenario)',
      'mutated default.json, arbitrary text and JSON',
      c,
    );
    expect(c.failure).toBeUndefined();
  });
});
