import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { MemoryCaseStore } from '../../../functions/adapters/local/memory-case-store';
import { StaticApproverDirectory } from '../../../functions/adapters/slack/slack-approver-directory';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import {
  awsSlackSetup,
  createSlackLambdaHandler,
  handler as deployedHandler,
  slackSecretsLoader,
} from '../../../slack-app/lambda-handler';
import { InvalidInputError } from '../../../functions/core/errors';
import { APPROVAL_MESSAGE, awaitingCase, manualClock } from '../../support/slack/case-fixture';
import { EvidenceRecorderDouble } from '../../support/slack/evidence-double';
import { buttonClickBody, signSlackRequest } from '../../support/slack/signed-requests';
import { SlackWebApiDouble } from '../../support/slack/slack-web-api-double';
import { WorkflowCallbacksDouble } from '../../support/slack/workflow-callbacks-double';
import { ALICE, BOT_TOKEN, CHANNEL, SIGNING_SECRET } from './slack-app-harness';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SLACK_BUNDLE_ALIASES } from '../../../infra/constructs/slack-bundling';
import { bundleLambda, REPO_ROOT } from '../../support/lambda-bundles';
import type { SlackHttpEvent } from '../../../slack-app/deferred-requests';
import { PREVENTION_ACTION_ID } from '../../../functions/adapters/slack/blocks/prevention-message';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rootkey/slack-AbCdEf';
const secretsMock = mockClient(SecretsManagerClient);
const context = { awsRequestId: 'req-1', functionName: 'rootkey-slack' } as Context;

/** An API Gateway REST (proxy integration) event as Slack's POST to /slack/events arrives. */
function apiGatewayEvent(body: string, base64: boolean, headers: Record<string, string>) {
  return {
    resource: '/slack/events',
    path: '/slack/events',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'api-req-1', stage: 'prod' },
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  };
}

/** Alice's click of a button on the case's approval request, as Slack posts it. */
function aliceClick(c: { caseId: string }, actionId: string = ACTION_IDS.delete): string {
  return buttonClickBody({ user: ALICE, actionId, value: c.caseId, channel: CHANNEL, messageTs: APPROVAL_MESSAGE.ts });
}

describe('Slack Lambda handler', () => {
  let slack: SlackWebApiDouble;

  beforeEach(async () => {
    secretsMock.reset();
    secretsMock
      .on(GetSecretValueCommand, { SecretId: SECRET_ARN })
      .resolves({ SecretString: JSON.stringify({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN }) });
    slack = new SlackWebApiDouble(BOT_TOKEN);
    await slack.start();
  });

  afterEach(async () => {
    await slack.stop();
  });

  function setup(
    create: typeof createSlackLambdaHandler = createSlackLambdaHandler,
    defer?: (request: SlackHttpEvent) => Promise<void>,
  ) {
    const c = awaitingCase();
    const cases = new MemoryCaseStore([c]);
    const callbacks = new WorkflowCallbacksDouble();
    const handler = create(async () => ({
      settings: { channel: CHANNEL, approvers: [ALICE.id], requiredApprovals: 1, slackApiUrl: slack.apiUrl },
      loadSecrets: slackSecretsLoader(
        SECRET_ARN,
        new SecretsProvider({ awsSdkV3Client: new SecretsManagerClient({ region: 'eu-west-1' }) }),
      ),
      services: () => ({
        cases,
        callbacks,
        evidence: new EvidenceRecorderDouble(),
        clock: manualClock(),
        approvers: new StaticApproverDirectory([ALICE.id]),
      }),
      ...(defer ? { defer } : {}),
    }));
    return { c, cases, callbacks, handler };
  }

  it.each([
    ['plain', false],
    ['base64-encoded', true],
  ])('decides on a signed click delivered as a %s API Gateway body', async (_label, base64) => {
    // Prepare
    const { c, cases, callbacks, handler } = setup();
    const body = aliceClick(c, ACTION_IDS.runbook);
    // Act
    const response = await handler(apiGatewayEvent(body, base64, signSlackRequest(SIGNING_SECRET, body)), context);
    // Assess
    expect(response.statusCode).toBe(200);
    expect((await cases.get(c.caseId)).decision).toMatchObject({
      action: 'runbook',
      approvers: [{ userId: ALICE.id }],
    });
    expect(callbacks.successes).toHaveLength(1);
    expect(slack.callsTo('chat.update')).toHaveLength(1);
    expect(secretsMock).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: SECRET_ARN });
  });

  it('answers a signed click from the deployed bundle (AwsLambdaReceiver only, receivers aliased away) exactly as from the source', async () => {
    // Prepare: the Slack entry bundled with infra's options and aliases, inside the repository so that
    // it resolves @aws-sdk/* (and this test's mocks) from node_modules.
    const cache = join(REPO_ROOT, 'node_modules', '.cache');
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, 'rootkey-slack-bundle-'));
    try {
      const bundle = await bundleLambda('slack-app/lambda-handler.ts', dir, SLACK_BUNDLE_ALIASES);
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle is CommonJS built at run time
      const bundled = require(bundle.outfile) as { createSlackLambdaHandler: typeof createSlackLambdaHandler };
      const fromSource = setup();
      const fromBundle = setup(bundled.createSlackLambdaHandler);

      // Act
      const bodyA = aliceClick(fromSource.c);
      const a = await fromSource.handler(
        apiGatewayEvent(bodyA, true, signSlackRequest(SIGNING_SECRET, bodyA)),
        context,
      );
      const bodyB = aliceClick(fromBundle.c);
      const b = await fromBundle.handler(
        apiGatewayEvent(bodyB, true, signSlackRequest(SIGNING_SECRET, bodyB)),
        context,
      );

      // Assess
      expect(b).toEqual(a);
      expect(b.statusCode).toBe(200);
      const decided = (x: typeof fromSource) => x.cases.get(x.c.caseId).then((c) => c.decision?.action);
      expect(await decided(fromBundle)).toBe('delete');
      expect(await decided(fromSource)).toBe('delete');
      expect(fromBundle.callbacks.successes).toHaveLength(1);
      expect(fromSource.callbacks.successes).toHaveLength(1);
      expect(slack.callsTo('chat.update')).toHaveLength(2);

      // And ack first from the bundle: the click is queued, the queued invocation decides it.
      const queued: SlackHttpEvent[] = [];
      const deferred = setup(bundled.createSlackLambdaHandler, async (request) => void queued.push(request));
      const bodyC = aliceClick(deferred.c);
      const c = await deferred.handler(apiGatewayEvent(bodyC, true, signSlackRequest(SIGNING_SECRET, bodyC)), context);
      expect(c).toEqual(a);
      expect(await decided(deferred)).toBeUndefined();
      expect(queued).toHaveLength(1);
      await deferred.handler({ rootkeyDeferredSlackRequest: queued[0]! as never }, context);
      expect(await decided(deferred)).toBe('delete');
      expect(deferred.callbacks.successes).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a forged signature with 401 and changes nothing', async () => {
    const { c, cases, callbacks, handler } = setup();
    const body = aliceClick(c, ACTION_IDS.runbook);
    const response = await handler(apiGatewayEvent(body, true, signSlackRequest('wrong-secret', body)), context);
    expect(response.statusCode).toBe(401);
    expect(await cases.get(c.caseId)).toEqual(c);
    expect(callbacks.successes).toHaveLength(0);
    expect(slack.calls).toHaveLength(0);
  });

  it('reads the secret once per cache period, not on every request', async () => {
    const { c, handler } = setup();
    const body = aliceClick(c, ACTION_IDS.runbook);
    await handler(apiGatewayEvent(body, false, signSlackRequest(SIGNING_SECRET, body)), context);
    await handler(apiGatewayEvent(body, false, signSlackRequest(SIGNING_SECRET, body)), context);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });

  it('exports the deployed entry as a two-argument handler', () => {
    expect(deployedHandler).toHaveLength(2);
  });

  it('names the missing variable when the deployment forgot one', async () => {
    const env = {
      SLACK_CHANNEL: CHANNEL,
      SLACK_APPROVERS: ALICE.id,
      SLACK_SECRET_ARN: SECRET_ARN,
      AWS_REGION: 'eu-west-1',
    };
    await expect(awsSlackSetup(env)).rejects.toThrow(
      new InvalidInputError('Environment variable CASES_TABLE_NAME is not set'),
    );
  });

  describe('ack first: clicks handed to an asynchronous invocation', () => {
    function deferring() {
      const queued: SlackHttpEvent[] = [];
      return { queued, defer: async (request: SlackHttpEvent) => void queued.push(structuredClone(request)) };
    }

    it('answers a vote before recording it, and the queued invocation decides the case', async () => {
      // Prepare
      const { queued, defer } = deferring();
      const { c, cases, callbacks, handler } = setup(createSlackLambdaHandler, defer);
      const body = aliceClick(c);
      const event = apiGatewayEvent(body, true, signSlackRequest(SIGNING_SECRET, body));

      // Act: the HTTP request
      const answered = await handler(event, context);

      // Assess: acked, queued unchanged, nothing done yet
      expect(answered).toEqual({ statusCode: 200, body: '' });
      expect(queued).toEqual([event]);
      expect(await cases.get(c.caseId)).toEqual(c);
      expect(callbacks.successes).toHaveLength(0);
      expect(slack.calls).toHaveLength(0);

      // Act: the asynchronous invocation, as Lambda delivers it
      const worked = await handler({ rootkeyDeferredSlackRequest: queued[0]! as typeof event }, context);

      // Assess
      expect(worked.statusCode).toBe(200);
      expect((await cases.get(c.caseId)).decision).toMatchObject({
        action: 'delete',
        approvers: [{ userId: ALICE.id }],
      });
      expect(callbacks.successes).toHaveLength(1);
      expect(slack.callsTo('chat.update')).toHaveLength(1);
      expect(queued).toHaveLength(1);
    });

    it.each([ACTION_IDS.runbook, ACTION_IDS.confirmStep, ACTION_IDS.verifyNow, PREVENTION_ACTION_ID])(
      'hands over %s without running its listener',
      async (actionId) => {
        const { queued, defer } = deferring();
        const { c, cases, handler } = setup(createSlackLambdaHandler, defer);
        const body = aliceClick(c, actionId);
        const response = await handler(apiGatewayEvent(body, false, signSlackRequest(SIGNING_SECRET, body)), context);
        expect(response.statusCode).toBe(200);
        expect(queued).toHaveLength(1);
        expect(await cases.get(c.caseId)).toEqual(c);
        expect(slack.calls).toHaveLength(0);
      },
    );

    it('opens the reject modal inline: its trigger id would expire in the queue', async () => {
      const { queued, defer } = deferring();
      const { c, handler } = setup(createSlackLambdaHandler, defer);
      const body = aliceClick(c, ACTION_IDS.reject);
      const response = await handler(apiGatewayEvent(body, false, signSlackRequest(SIGNING_SECRET, body)), context);
      expect(response.statusCode).toBe(200);
      expect(queued).toHaveLength(0);
      expect(slack.callsTo('views.open')).toHaveLength(1);
    });

    it('answers inline when the click cannot be queued, and the vote is still recorded once', async () => {
      const { c, cases, callbacks, handler } = setup(createSlackLambdaHandler, async () => {
        throw new Error('Rate exceeded');
      });
      const body = aliceClick(c);
      const response = await handler(apiGatewayEvent(body, true, signSlackRequest(SIGNING_SECRET, body)), context);
      expect(response).toEqual({ statusCode: 200, body: '' });
      expect((await cases.get(c.caseId)).decision?.action).toBe('delete');
      expect(callbacks.successes).toHaveLength(1);
    });

    it('queues nothing for a forged click (401 before any middleware)', async () => {
      const { queued, defer } = deferring();
      const { c, handler } = setup(createSlackLambdaHandler, defer);
      const body = aliceClick(c);
      const response = await handler(apiGatewayEvent(body, true, signSlackRequest('wrong-secret', body)), context);
      expect(response.statusCode).toBe(401);
      expect(queued).toHaveLength(0);
    });

    it.each([
      ['signed with another secret', (body: string) => signSlackRequest('wrong-secret', body), (b: string) => b],
      [
        'altered after signing',
        (body: string) => signSlackRequest(SIGNING_SECRET, body),
        (b: string) => b.replace(ACTION_IDS.delete, ACTION_IDS.runbook),
      ],
      ['without signature headers', () => ({}), (b: string) => b],
      [
        'signed more than five minutes ago (Bolt refuses it; maxEventAge keeps queued clicks younger)',
        (body: string) => signSlackRequest(SIGNING_SECRET, body, Math.floor(Date.now() / 1000) - 3600),
        (b: string) => b,
      ],
    ])('runs no deferred request %s, fails the invocation and changes nothing', async (_label, sign, alter) => {
      const { c, cases, callbacks, handler } = setup(createSlackLambdaHandler, async () => undefined);
      const body = aliceClick(c);
      const event = apiGatewayEvent(alter(body), false, sign(body));
      await expect(handler({ rootkeyDeferredSlackRequest: event }, context)).rejects.toThrow(
        'The queued Slack request was answered with status 401',
      );
      expect(await cases.get(c.caseId)).toEqual(c);
      expect(callbacks.successes).toHaveLength(0);
      expect(slack.calls).toHaveLength(0);
    });

    it('fails a deferred invocation that could not run (so that Lambda retries it), but answers Slack 500', async () => {
      // The deployed entry without its environment: the setup throws on every invocation.
      const body = aliceClick(awaitingCase());
      const event = apiGatewayEvent(body, false, signSlackRequest(SIGNING_SECRET, body));
      await expect(deployedHandler({ rootkeyDeferredSlackRequest: event }, context)).rejects.toThrow(InvalidInputError);
      expect(await deployedHandler(event, context)).toEqual({ statusCode: 500, body: '' });
    });
  });
});
