import aslValidator from 'asl-validator';
import { TRANSIENT_ERROR_NAMES } from '../../../functions/core/errors';
import { allStates } from '../../../functions/local/local-workflow';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { definitionsFromTemplate, type WorkflowDefinitions } from '../../../functions/local/workflow-definitions';
import { extractStateMachines, type CfnTemplate } from '../../../functions/local/definition-extraction';
import { OrganizationSweep } from '../../../infra/constructs/organization-sweep';
import { RETRIED_ERRORS } from '../../../infra/constructs/remediation-workflow';
import { RETRY_BUDGETS, RETRY_ORDER } from '../../../functions/core/retry-budget';
import { synthesizeApp, type TemplateJson } from '../../support/infra/synth';

/**
 * The synthesized definitions themselves: valid ASL, the retry/catch discipline, and the rule that
 * no path ends without an evidence record. The AWS variant (Distributed Map) and the local variant
 * (inline Map) are both synthesized from the same constructs.
 */
type State = Record<string, TemplateJson>;
let aws: WorkflowDefinitions;
/** The local variant differs in the sweep's Map only; the construct alone gives it without a second app synthesis. */
let localSweep: Record<string, unknown>;

beforeAll(() => {
  aws = definitionsFromTemplate(
    synthesizeApp({ 'rootkey:nag': false, 'rootkey:approvalTimeoutHours': 48 }).centralTemplate.toJSON() as CfnTemplate,
  );
  localSweep = inlineSweepDefinition();
}, 240_000);

function inlineSweepDefinition(): Record<string, unknown> {
  const stack = new Stack(new App(), 'LocalSweep', { env: { account: '123456789012', region: 'us-east-1' } });
  const sweep = new OrganizationSweep(stack, 'Sweep', {
    listAccounts: lambda.Function.fromFunctionArn(stack, 'List', 'arn:aws:lambda:us-east-1:123456789012:function:list'),
    remediation: sfn.StateMachine.fromStateMachineArn(stack, 'Remediation', aws.remediation.arn),
    maxConcurrency: 10,
    mapMode: 'inline',
    encryptionKey: new kms.Key(stack, 'Key'),
    logRetention: logs.RetentionDays.ONE_YEAR,
  });
  const [machine] = extractStateMachines(Template.fromStack(stack).toJSON() as CfnTemplate);
  expect(machine?.logicalId).toContain(stack.getLogicalId(sweep.stateMachine.node.defaultChild as CfnElement));
  return machine!.definition;
}

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
  it('are valid ASL: the remediation workflow, the AWS sweep and the local sweep', () => {
    const definitions = {
      remediation: aws.remediation.definition,
      sweep: aws.sweep.definition,
      localSweep,
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

  it('sweep the organization with a Distributed Map in AWS and an inline Map locally', () => {
    const awsMap = states(aws.sweep.definition)['StartAccountWorkflows']!;
    const localMap = states(localSweep)['StartAccountWorkflows']!;
    expect(awsMap).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 10,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' } },
    });
    expect(localMap['ItemProcessor']['ProcessorConfig']?.['Mode'] ?? 'INLINE').toBe('INLINE');
    for (const map of [awsMap, localMap]) {
      expect(map['ItemProcessor']['States']['StartAccountWorkflow']).toMatchObject({
        Resource: 'arn:aws:states:::states:startExecution',
        Parameters: { 'Input.$': '$', StateMachineArn: aws.remediation.arn },
      });
    }
  });
});
