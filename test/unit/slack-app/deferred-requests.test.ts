import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import {
  DEFERRED_ACTION_IDS,
  deferredActionOf,
  isDeferredSlackRequest,
  lambdaSelfInvoker,
} from '../../../slack-app/deferred-requests';

const lambdaMock = mockClient(LambdaClient);

describe('deferred Slack requests', () => {
  beforeEach(() => lambdaMock.reset());

  it('queues the request for the same function as an asynchronous invocation', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const request = { headers: { 'X-Slack-Signature': 'v0=abc' }, body: 'payload=%7B%7D', isBase64Encoded: false };
    await lambdaSelfInvoker(new LambdaClient({ region: 'eu-west-1' }), 'rootkey-central-SlackApp')(request);
    expect(lambdaMock).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambdaMock.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input.FunctionName).toBe('rootkey-central-SlackApp');
    expect(input.InvocationType).toBe('Event');
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({
      rootkeyDeferredSlackRequest: request,
    });
  });

  it('throws when Lambda did not queue it (so that the click is answered inline)', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200 });
    await expect(lambdaSelfInvoker(new LambdaClient({ region: 'eu-west-1' }), 'f')({ body: '' })).rejects.toThrow(
      'Lambda did not queue the request (status 200)',
    );
    lambdaMock.on(InvokeCommand).rejects(new Error('TooManyRequestsException'));
    await expect(lambdaSelfInvoker(new LambdaClient({ region: 'eu-west-1' }), 'f')({ body: '' })).rejects.toThrow(
      'TooManyRequestsException',
    );
  });

  it('hands over only single block actions of the listed buttons', () => {
    const click = (actionId: string, type = 'block_actions') => ({ type, actions: [{ action_id: actionId }] });
    expect(deferredActionOf(click(ACTION_IDS.delete))).toBe(ACTION_IDS.delete);
    expect(deferredActionOf(click(ACTION_IDS.confirmStep))).toBe(ACTION_IDS.confirmStep);
    expect(deferredActionOf(click(ACTION_IDS.reject))).toBeUndefined();
    expect(deferredActionOf(click(ACTION_IDS.acceptRisk))).toBeUndefined();
    expect(deferredActionOf(click(ACTION_IDS.delete, 'view_submission'))).toBeUndefined();
    expect(deferredActionOf({ type: 'block_actions', actions: [] })).toBeUndefined();
    expect(deferredActionOf({ command: '/rootkey' })).toBeUndefined();
    expect(deferredActionOf(undefined)).toBeUndefined();
    expect([...DEFERRED_ACTION_IDS]).not.toContain(ACTION_IDS.reject);
  });

  it('recognises only the deferred envelope', () => {
    expect(isDeferredSlackRequest({ rootkeyDeferredSlackRequest: { body: '' } })).toBe(true);
    expect(isDeferredSlackRequest({ rootkeyDeferredSlackRequest: 'x' })).toBe(false);
    expect(isDeferredSlackRequest({ body: 'rootkeyDeferredSlackRequest', headers: {} })).toBe(false);
    expect(isDeferredSlackRequest(null)).toBe(false);
  });
});
