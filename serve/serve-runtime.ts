import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { WebClient } from '@slack/web-api';
import { AwsOrganization } from '../functions/adapters/aws/aws-organization';
import { AwsRootKeyReader } from '../functions/adapters/aws/aws-root-key-reader';
import { createIamClientFromCredentials } from '../functions/adapters/aws/clients';
import { createAwsClients } from '../functions/adapters/aws/organizations-client';
import { KmsSigner } from '../functions/adapters/aws/kms-signer';
import { AwsRootKeyRemover } from '../functions/adapters/aws/root-key-remover';
import { SecurityHubFindings } from '../functions/adapters/aws/security-hub-findings';
import { DisabledFindings } from '../functions/adapters/local/disabled-findings';
import { FileBlobStore } from '../functions/adapters/local/file-blob-store';
import { MemoryCaseStore } from '../functions/adapters/local/memory-case-store';
import { SlackApproverDirectory } from '../functions/adapters/slack/slack-approver-directory';
import { SlackNotifier } from '../functions/adapters/slack/slack-notifier';
import type { Case } from '../functions/core/case';
import { InvalidInputError } from '../functions/core/errors';
import { workflowSettingsFromEnv } from '../functions/handlers/aws-deps';
import { LocalRecheckScheduler } from '../local-runner/local-recheck-scheduler';
import { LocalWorkflow, type LocalExecution } from '../local-runner/local-workflow';
import { systemClock } from '../functions/ports/clock';
import type { Deps } from '../functions/services/dependencies';
import { BlobEvidenceStore } from '../functions/services/blob-evidence-store';
import { EvidenceService } from '../functions/services/evidence-service';
import { createLocalEvidence } from '../local-runner/local-evidence';
import { createSlackApp, type SlackApp } from '../slack-app/app';
import { quietLogger } from '../sandbox/sandbox-runtime';
import { CheckpointStore, DurableWorkflowCallbacks, ParkedAnswers } from './durable-waits';
import type { ServeSettings } from './serve-settings';

const WAIT_FOR_TOKEN = /^arn:aws[\w-]*:states:::lambda:invoke\.waitForTaskToken$/;

export interface ServeRuntime {
  settings: ServeSettings;
  cases: MemoryCaseStore;
  workflow: LocalWorkflow;
  slack: SlackApp;
  socketMode: boolean;
  /** Executions resumed at start, by case id. */
  resumed: Map<string, LocalExecution>;
  /** Starts the organization sweep now. */
  sweep(): LocalExecution;
  /** The remediation execution of this process that works on `caseId`, if any. */
  executionFor(caseId: string): LocalExecution | undefined;
  /** Parks answers, aborts executions (their checkpoints stay) and stops Slack. */
  dispose(): Promise<void>;
}

/**
 * `rootkey serve`'s runtime: the sandbox's runtime — the synthesized state machine run by the local
 * runner with its tasks bound to the real handlers, and the real Bolt app — with the AWS adapters
 * (Organizations, STS AssumeRoot, IAM in root sessions, Security Hub; the SDK's standard configuration)
 * instead of the simulated organization, cases in `DIR/serve/cases.json` and evidence under
 * `DIR/evidence/` (local Ed25519 signature, or KMS with `EVIDENCE_SIGNING_KEY_ARN`).
 *
 * Restarts lose nothing: every remediation execution checkpoints the state it enters (see
 * durable-waits.ts), and at start every open case is resumed from its checkpoint — a wait for
 * approval or a runbook step re-attaches to the token stored with the case, so its Slack message keeps
 * working — before Slack's requests are accepted.
 */
export async function createServeRuntime(
  settings: ServeSettings,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<ServeRuntime> {
  const serveDir = join(settings.dataDir, 'serve');
  mkdirSync(serveDir, { recursive: true, mode: 0o700 });
  const cases = new MemoryCaseStore(loadCases(serveDir), persistCases(serveDir));
  const checkpoints = new CheckpointStore(serveDir);
  const parked = new ParkedAnswers(serveDir);

  const evidence = settings.signingKeyArn
    ? new EvidenceService({
        store: new BlobEvidenceStore(FileBlobStore.evidenceOf(settings.dataDir)),
        signer: new KmsSigner({ client: new KMSClient({}), keyId: settings.signingKeyArn }),
      })
    : createLocalEvidence(settings.dataDir);

  const { sts, iam, organizations } = createAwsClients();
  const slackConfig = settings.slack;
  const logger = quietLogger(log);
  const client = new WebClient(slackConfig.botToken, {
    ...(slackConfig.slackApiUrl ? { slackApiUrl: slackConfig.slackApiUrl } : {}),
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 },
    timeout: 5000,
    logger,
  });
  const deps: Deps = {
    organization: new AwsOrganization({ organizations, sts, iam }),
    reader: new AwsRootKeyReader({ sts, iam, iamFor: createIamClientFromCredentials }),
    remover: new AwsRootKeyRemover({ sts }),
    cases,
    evidence,
    notifier: new SlackNotifier({
      client,
      channel: slackConfig.channel,
      clock: systemClock,
      ...(slackConfig.escalationMention ? { escalationMention: slackConfig.escalationMention } : {}),
    }),
    findings: settings.securityHub.enabled
      ? new SecurityHubFindings({
          client: new SecurityHubClient(settings.securityHub.region ? { region: settings.securityHub.region } : {}),
        })
      : new DisabledFindings(),
    clock: systemClock,
    settings: {
      ...workflowSettingsFromEnv(env),
      requiredApprovals: slackConfig.requiredApprovals,
      ...(settings.roleName ? { readRoleName: settings.roleName } : {}),
    },
  };

  const holder: { workflow?: LocalWorkflow } = {};
  const workflow = new LocalWorkflow({
    deps,
    // An expired risk acceptance starts the workflow again, as EventBridge Scheduler does in AWS.
    // (Its timer lives in this process: a re-check due while serve is down runs at the next sweep.)
    scheduler: new LocalRecheckScheduler({ onDue: (input) => holder.workflow?.start(input) }),
  });
  holder.workflow = workflow;
  const executionCase = trackCheckpoints(workflow, cases, checkpoints, log);
  const callbacks = new DurableWorkflowCallbacks(workflow.callbacks, checkpoints, parked, (id) =>
    executionCase.get(id),
  );

  const socketMode = Boolean(slackConfig.appToken);
  const slack = createSlackApp({
    receiver: socketMode ? { type: 'socket', appToken: slackConfig.appToken as string } : { type: 'http' },
    signingSecret: slackConfig.signingSecret,
    botToken: slackConfig.botToken,
    ...(slackConfig.slackApiUrl ? { slackApiUrl: slackConfig.slackApiUrl } : {}),
    channel: slackConfig.channel,
    ...(slackConfig.escalationMention ? { escalationMention: slackConfig.escalationMention } : {}),
    services: {
      cases,
      evidence,
      clock: systemClock,
      callbacks,
      approvers: new SlackApproverDirectory({
        client,
        ...(slackConfig.approverGroup ? { groupId: slackConfig.approverGroup } : {}),
        userIds: slackConfig.approvers,
      }),
      starter: workflow,
    },
    logger,
  });

  const resumed = await resumeOpenCases(workflow, cases, checkpoints, callbacks, log);
  callbacks.resume();
  if (socketMode) await slack.start();

  return {
    settings,
    cases,
    workflow,
    slack,
    socketMode,
    resumed,
    sweep: () => workflow.startSweep({}),
    executionFor(caseId) {
      return [...workflow.executions()]
        .reverse()
        .find((e) => e.kind === 'remediation' && executionCase.get(e.id) === caseId);
    },
    async dispose() {
      // Park answers first: a vote that lands from here on is kept for the next start, not expired.
      callbacks.suspend();
      await slack.stop().catch(() => undefined);
      workflow.dispose();
    },
  };
}

/**
 * Follows the remediation executions and keeps each case's checkpoint: the state it entered last with
 * its raw input, and the token while it waits. A checkpoint goes when its execution ends; an aborted
 * execution (the process stopping) keeps it. Returns which execution works on which case.
 */
function trackCheckpoints(
  workflow: LocalWorkflow,
  cases: MemoryCaseStore,
  checkpoints: CheckpointStore,
  log: (line: string) => void,
): Map<string, string> {
  const executionCase = new Map<string, string>();
  const owner = new Map<string, string>();
  const waiting = new Map<string, { state: string; token: string }>();
  workflow.on((event) => {
    const execution = workflow.execution(event.executionId);
    if (event.type === 'execution-failed')
      log(`execution ${execution?.name ?? event.executionId} failed: ${event.error}: ${event.cause}`);
    if (!execution || execution.kind !== 'remediation') return;
    try {
      switch (event.type) {
        case 'state-entered': {
          const ref = (event.data as { case?: { caseId?: unknown; duplicate?: unknown } } | null)?.case;
          if (typeof ref?.caseId !== 'string' || ref.duplicate === true) return;
          // A duplicate trigger's execution names another execution's case: only the owner checkpoints it.
          const current = owner.get(ref.caseId);
          if (current && current !== execution.id && isRunning(workflow, current)) return;
          owner.set(ref.caseId, execution.id);
          executionCase.set(execution.id, ref.caseId);
          const wait = waiting.get(execution.id);
          checkpoints.save({
            caseId: ref.caseId,
            executionName: execution.name,
            state: event.state,
            input: event.data,
            ...(wait?.state === event.state ? { token: wait.token } : {}),
            at: new Date().toISOString(),
          });
          return;
        }
        case 'task-waiting': {
          const caseId = event.caseId ?? executionCase.get(execution.id);
          if (!caseId) return;
          void cases
            .get(caseId)
            .then((c) => {
              const token = c.pendingTask?.token;
              if (!token) return;
              waiting.set(execution.id, { state: event.state, token });
              const checkpoint = checkpoints.get(caseId);
              if (checkpoint && checkpoint.state === event.state && owner.get(caseId) === execution.id)
                checkpoints.save({ ...checkpoint, token });
            })
            .catch((error: unknown) => log(`could not note the wait of case ${caseId}: ${(error as Error).message}`));
          return;
        }
        case 'execution-succeeded':
        case 'execution-failed': {
          const caseId = executionCase.get(execution.id);
          if (caseId && owner.get(caseId) === execution.id) checkpoints.remove(caseId);
          return;
        }
        default:
          return;
      }
    } catch (error) {
      log(`could not keep the checkpoint of ${execution.name}: ${(error as Error).message}`);
    }
  });
  return executionCase;
}

function isRunning(workflow: LocalWorkflow, executionId: string): boolean {
  return workflow.execution(executionId)?.status === 'RUNNING';
}

/**
 * Resumes every open case where its execution stood. A case waiting for approval or a runbook step
 * re-attaches to its token (the one stored with the case, or the one an answer was parked for during the
 * stop), so its Slack message keeps working, and receives the parked answer; a case whose decision was
 * recorded but never reached the workflow (the process died in between) gets that decision now. Nothing
 * here closes a case.
 */
async function resumeOpenCases(
  workflow: LocalWorkflow,
  cases: MemoryCaseStore,
  checkpoints: CheckpointStore,
  callbacks: DurableWorkflowCallbacks,
  log: (line: string) => void,
): Promise<Map<string, LocalExecution>> {
  const resumed = new Map<string, LocalExecution>();
  const states = (workflow.definitions.remediation.definition['States'] ?? {}) as Record<string, { Resource?: string }>;
  const waits = (state: string) => WAIT_FOR_TOKEN.test(String(states[state]?.Resource ?? ''));
  // A case that closed just before its execution was stopped (its last Succeed state not yet run) has nothing to resume.
  const open = await cases.list({ openOnly: true });
  for (const checkpoint of checkpoints.all()) {
    if (!open.some((c) => c.caseId === checkpoint.caseId)) checkpoints.remove(checkpoint.caseId);
  }
  for (const c of open) {
    const saved = checkpoints.get(c.caseId);
    // Before its first checkpoint, or when the checkpoint lags behind the approval wait: ask (again) there.
    const approval = {
      state: 'RequestApproval',
      input: { trigger: c.trigger, case: { caseId: c.caseId, accountId: c.accountId } },
    };
    const parked = callbacks.parkedFor(c.caseId);
    let from: { state: string; input: unknown } = saved ?? approval;
    let token: string | undefined;
    let decision: unknown;
    if (parked && waits(parked.answer.state)) {
      token = parked.token;
      if (from.state !== parked.answer.state && parked.answer.state === 'RequestApproval') from = approval;
    } else if (c.pendingTask?.token && (waits(from.state) || c.pendingTask.kind === 'approval')) {
      token = c.pendingTask.token;
      if (!waits(from.state)) from = approval;
    } else if (c.status === 'awaiting-approval' && c.decision) {
      // The decision is on the case but never reached the workflow: hand it over now.
      from = approval;
      token = `resumed-${c.caseId}`;
      decision = c.decision;
    }
    try {
      const execution = workflow.resume(from.input, {
        startAt: from.state,
        ...(saved?.executionName ? { name: saved.executionName } : {}),
        ...(token ? { reattach: { token } } : {}),
      });
      resumed.set(c.caseId, execution);
      log(`resumed case ${c.caseId} (${c.status}) at ${from.state}${token ? ', on its stored wait' : ''}`);
      if (!token) continue;
      await execution.waitFor((e) => e.type === 'task-waiting', 30_000);
      if (decision !== undefined) await workflow.callbacks.sendTaskSuccess(token, decision);
      else if (await callbacks.deliverParked(token)) log(`delivered the answer parked for case ${c.caseId}`);
    } catch (error) {
      // The case stays open with its checkpoint and parked answer: the next start tries again.
      log(`could not resume case ${c.caseId} at ${from.state}: ${(error as Error).message}`);
    }
  }
  return resumed;
}

function loadCases(serveDir: string): Case[] {
  const file = join(serveDir, 'cases.json');
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { cases?: Case[] };
    return Array.isArray(parsed.cases) ? parsed.cases : [];
  } catch (error) {
    throw new InvalidInputError(`${file} is not readable JSON (${(error as Error).message}); restore it from a backup`);
  }
}

/**
 * Writes every change through a temporary file and a rename (a crash never leaves half a file). Unlike
 * the sandbox, serve keeps the task token: it is what a resumed wait re-attaches to. The file is the
 * owner's alone; the token is only good to this process's local runner, never to Step Functions.
 */
function persistCases(serveDir: string): (c: Case) => void {
  const all = new Map<string, Case>(loadCases(serveDir).map((c) => [c.caseId, c]));
  const file = join(serveDir, 'cases.json');
  return (c) => {
    all.set(c.caseId, c);
    writeFileSync(`${file}.tmp`, JSON.stringify({ cases: [...all.values()] }, null, 2), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
}
