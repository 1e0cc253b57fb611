import aslValidator from 'asl-validator';
import { TRANSIENT_ERROR_NAMES } from '../../../functions/core/errors';
import { allStates } from '../../../local-runner/local-workflow';
import { definitionsFromTemplate, type WorkflowDefinitions } from '../../../local-runner/workflow-definitions';
import { type CfnTemplate } from '../../../local-runner/definition-extraction';
import { RETRIED_ERRORS } from '../../../infra/constructs/remediation-workflow';
import { RETRY_BUDGETS, RETRY_ORDER } from '../../../functions/core/retry-budget';
import { synthesizeApp, type TemplateJson } from '../../support/infra/synth';

/**
 * The synthesized definitions themselves: valid ASL, the retry/catch discipline, and the rule that
 * no path ends without an evidence record. The local runner runs these very definitions (the
 * sweep's Distributed Map included).
 */
type State = Record<string, TemplateJson>;
let aws: WorkflowDefinitions;

beforeAll(() => {
  aws = definitionsFromTemplate(
    synthesizeApp({ 'rootkey:nag': false, 'rootkey:approvalTimeoutHours': 48 }).centralTemplate.toJSON() as CfnTemplate,
  );
}, 240_000);

function states(definition: Record<string, unknown>): Record<string, State> {
  return Object.fromEntries(allStates(definition)) as Record<string, State>;
}

/** Every state that can hand control to `target` (Next, Default, Choices, Catch). */
function predecessors(all: Record<string, State>, target: string): string[] {
  return Object.entries(all)
    .filter(([, s]) =>
      [
        s['Next'],
        s['Default'],
        ...(s['Choices'] ?? []).map((c: State) => c['Next']),
        ...(s['Catch'] ?? []).map((c: State) => c['Next']),
      ].includes(target),
    )
    .map(([name]) => name);
}

function functionOf(state: State): string | undefined {
  const arn = String(state['Parameters']?.['FunctionName'] ?? state['Resource'] ?? '');
  return /:function:([^:]+)$/.exec(arn)?.[1];
}

describe('the synthesized definitions', () => {
  it('are valid ASL: the remediation workflow and the sweep', () => {
    const definitions = {
      remediation: aws.remediation.definition,
      sweep: aws.sweep.definition,
    };
    for (const [kind, definition] of Object.entries(definitions)) {
      const result = aslValidator(definition, { checkArn: true, checkPaths: true });
      expect({ kind, valid: result.isValid, errors: result.isValid ? '' : result.errorsText('\n') }).toEqual({
        kind,
        valid: true,
        errors: '',
      });
    }
  });

  it('retry transient errors only, each fault class with its documented budget', () => {
    const expected = [...TRANSIENT_ERROR_NAMES, 'EvidenceConflictError'];
    for (const [name, state] of Object.entries(states(aws.remediation.definition))) {
      if (state['Type'] !== 'Task') continue;
      // The scheduler call also retries EventBridge Scheduler's own throttling and 5xx with the AWS budget.
      const extra =
        name === 'ScheduleRecheck' ? ['Scheduler.ThrottlingException', 'Scheduler.InternalServerException'] : [];
      const retriers = (state['Retry'] ?? []) as State[];
      const budgets = RETRY_ORDER.map((cls) => RETRY_BUDGETS[cls]);
      // Only the deletion also retries its own timeout (deleting is idempotent), and then verifies.
      if (name === 'DeleteKeys') budgets.push(RETRY_BUDGETS['lambda-timeout']);
      expect({ name, retriers }).toEqual({
        name,
        retriers: budgets.map((b, i) => ({
          ErrorEquals: i === 0 ? [...b.errors, ...extra] : [...b.errors],
          IntervalSeconds: b.intervalSeconds,
          BackoffRate: b.backoffRate,
          MaxAttempts: b.maxAttempts,
          MaxDelaySeconds: b.maxDelaySeconds,
          JitterStrategy: b.jitter,
        })),
      });
    }
    expect(RETRIED_ERRORS).toEqual(expect.arrayContaining(expected));
    expect(RETRIED_ERRORS).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^States\.(ALL|TaskFailed|Timeout)$/)]),
    );
    expect(RETRIED_ERRORS).not.toContain('Lambda.Unknown');
  });

  it('verify after a deletion that timed out instead of failing the case', () => {
    const deleteKeys = states(aws.remediation.definition)['DeleteKeys']!;
    expect((deleteKeys['Catch'] as State[])[0]).toEqual({
      ErrorEquals: ['Lambda.Unknown', 'Sandbox.Timedout'],
      ResultPath: '$.deleteTimedOut',
      Next: 'StartVerification',
    });
  });

  it('catch every error of every task into the failure-evidence path', () => {
    const all = states(aws.remediation.definition);
    for (const [name, state] of Object.entries(all)) {
      if (state['Type'] !== 'Task' || name === 'RecordFailure') continue;
      const catchers = (state['Catch'] ?? []) as State[];
      expect({ name, last: catchers.at(-1) }).toEqual({
        name,
        last: { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
      });
    }
    expect(functionOf(all['RecordFailure']!)).toBe('record-failure');
    expect(all['RecordFailure']!['Catch']).toBeUndefined();
  });

  it('end no path without an evidence record (the ignored non-root event opens no case)', () => {
    const all = states(aws.remediation.definition);
    const recording = new Set(['record-outcome', 'record-duplicate-trigger', 'record-failure']);
    const ends = Object.entries(all).filter(([, s]) => s['Type'] === 'Succeed' || s['Type'] === 'Fail');
    expect(ends.map(([name]) => name).sort()).toEqual(
      ['Compliant', 'DuplicateTrigger', 'ExceptionRecorded', 'Expired', 'Failed', 'Ignored', 'Remediated'].sort(),
    );
    for (const [name] of ends) {
      if (name === 'Ignored') {
        expect(predecessors(all, name)).toEqual(['TriggerIgnored?']);
        continue;
      }
      for (const before of predecessors(all, name)) {
        expect({ end: name, before, task: functionOf(all[before]!) }).toEqual({
          end: name,
          before,
          task: expect.stringMatching(new RegExp(`^(${[...recording].join('|')})$`)),
        });
      }
    }
  });

  it('wait for people with task tokens and turn a timeout into the reminder ladder', () => {
    const all = states(aws.remediation.definition);
    for (const name of ['RequestApproval', 'AwaitRunbookStep']) {
      expect(all[name]).toMatchObject({
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { Payload: expect.objectContaining({ 'token.$': '$$.Task.Token' }) },
      });
      expect(all[name]!['Catch'][0]).toMatchObject({ ErrorEquals: ['States.Timeout'] });
    }
    expect(all['RequestApproval']!['TimeoutSeconds']).toBe(48 * 3600);
    expect(all['AwaitRunbookStep']!['TimeoutSeconds']).toBe(72 * 3600);
    expect(all['RequestApproval']!['Catch'][0]['Next']).toBe('ApprovalTimedOut');
    expect(all['AwaitRunbookStep']!['Catch'][0]['Next']).toBe('RunbookStepTimedOut');
  });

  it('send changed keys back to approval and an unreachable account to the runbook', () => {
    const catchers = states(aws.remediation.definition)['DeleteKeys']!['Catch'] as State[];
    expect(catchers.map((c) => [c['ErrorEquals'], c['Next']])).toEqual([
      [['Lambda.Unknown', 'Sandbox.Timedout'], 'StartVerification'],
      [['KeysChangedError'], 'KeysChanged'],
      [['RootAccessUnavailableError'], 'FallBackToRunbook'],
      [['States.ALL'], 'RecordFailure'],
    ]);
    const keysLeft = states(aws.remediation.definition)['KeysLeft?']!;
    expect(keysLeft['Choices'][0]).toMatchObject({ StringEquals: 'approval', Next: 'RequestApproval' });
  });

  it('poll verification with a bounded wait and return to the runbook when the key stays', () => {
    const all = states(aws.remediation.definition);
    expect(all['WaitBeforeNextCheck']).toMatchObject({ Type: 'Wait', SecondsPath: '$.verification.waitSeconds' });
    expect(all['KeyGone?']!['Choices']).toEqual([
      expect.objectContaining({ Variable: '$.verification.gone', BooleanEquals: true, Next: 'ResolveFinding' }),
      expect.objectContaining({ Variable: '$.verification.exhausted', BooleanEquals: true, Next: 'RestartRunbook' }),
    ]);
    expect(all['RestartRunbook']!['Parameters']).toMatchObject({ reason: 'key-still-present' });
  });

  it('sweep the organization with a Distributed Map that reads the accounts from S3, never from the state input', () => {
    const all = states(aws.sweep.definition);
    const map = all['StartAccountWorkflows']!;
    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 10,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
      // The list step's output names the object; the Map reads it (a JSON array) itself.
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Bucket.$': '$.sweep.list.bucket', 'Key.$': '$.sweep.list.key' },
      },
      // Results are exported, not returned: the Map's output does not grow with the organization.
      ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Prefix: 'results' } },
      ResultPath: null,
    });
    expect(map['ResultWriter']['Parameters']['Bucket']).toBeDefined();
    // No state iterates over (or carries) a list from the state input.
    for (const [name, state] of Object.entries(all)) {
      expect({ name, itemsPath: state['ItemsPath'] }).toEqual({ name, itemsPath: undefined });
      expect({ name, items: state['Items'] }).toEqual({ name, items: undefined });
    }
    expect(JSON.stringify(aws.sweep.definition)).not.toContain('$.sweep.items');
    expect(map['ItemSelector']).toMatchObject({
      'accountId.$': '$$.Map.Item.Value.accountId',
      known: { 'account.$': '$$.Map.Item.Value.account', 'features.$': '$.sweep.features' },
    });
    expect(map['ItemProcessor']['States']['StartAccountWorkflow']).toMatchObject({
      Resource: 'arn:aws:states:::states:startExecution',
      Parameters: { 'Input.$': '$', StateMachineArn: aws.remediation.arn },
    });
  });

  it('end the sweep with one summary step that waits, bounded, for the reports and never fails the sweep', () => {
    const all = states(aws.sweep.definition);
    expect(all['StartAccountWorkflows']!['Next']).toBe('StartSummary');
    expect(all['StartSummary']).toMatchObject({ Type: 'Pass', Result: { attempt: 1 }, ResultPath: '$.summary' });
    const post = all['PostSweepSummary']!;
    expect(post['Parameters']).toEqual({
      'sweepId.$': '$$.Execution.Id',
      'accounts.$': '$.sweep.count',
      'attempt.$': '$.summary.attempt',
    });
    // Transient errors (Slack, AWS, Lambda) are retried; anything left ends in a Succeed state.
    expect(post['Retry'][0]['ErrorEquals']).toEqual(
      expect.arrayContaining(['SlackUnavailableError', 'TransientAwsError']),
    );
    expect(post['Catch']).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'SummaryNotPosted' })]);
    expect(all['SummaryNotPosted']!['Type']).toBe('Succeed');
    expect(all['SummaryPosted?']).toMatchObject({
      Choices: [expect.objectContaining({ Variable: '$.summary.posted', BooleanEquals: true, Next: 'SweepDone' })],
      Default: 'WaitForAccountReports',
    });
    expect(all['WaitForAccountReports']).toMatchObject({ Type: 'Wait', Seconds: 30, Next: 'PostSweepSummary' });
  });
});
