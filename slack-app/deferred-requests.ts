import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ACTION_IDS } from '../functions/adapters/slack/blocks/ids';
import { PREVENTION_ACTION_ID } from '../functions/adapters/slack/blocks/prevention-message';

/**
 * Ack first, work after, in Lambda. `AwsLambdaReceiver` answers API Gateway only once the listeners
 * are done, so a click that records a vote (DynamoDB, a signed evidence record, Step Functions,
 * Slack) would keep Slack waiting for all of it. Instead the function answers such a click at once
 * and hands the same signed request to itself, asynchronously (`InvocationType: Event`); that
 * second invocation checks its signature again (Bolt, within Slack's five minutes: the function's
 * maxEventAge is four) and runs the listeners as the first would have, and says what happened in Slack
 * (message updates, thread replies, ephemeral messages to the clicker), as they already do.
 *
 * The queued invocation never queues again (its Bolt app has no deferring middleware), so a chain is
 * two invocations long; Lambda's recursive loop detection, which also watches direct invocations,
 * stops a chain only after 16 (https://aws.amazon.com/blogs/compute/detecting-and-stopping-recursive-loops-in-aws-lambda-functions/).
 *
 * Only clicks whose listeners need nothing but the ack from the HTTP answer are handed over: votes,
 * runbook step confirmations, "Verify now" and the prevention vote. Buttons that open a modal need
 * their trigger id within 3 seconds, and a modal submission may answer with validation errors, so
 * those stay inline.
 */
export const DEFERRED_ACTION_IDS: ReadonlySet<string> = new Set([
  ACTION_IDS.delete,
  ACTION_IDS.runbook,
  ACTION_IDS.confirmStep,
  ACTION_IDS.verifyNow,
  PREVENTION_ACTION_ID,
]);

/** The part of an API Gateway proxy (or Function URL) event that a Slack request travels in. */
export interface SlackHttpEvent {
  headers?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

/** The event of the asynchronous invocation: the signed request as API Gateway delivered it. */
export interface DeferredSlackRequest<E extends SlackHttpEvent = SlackHttpEvent> {
  rootkeyDeferredSlackRequest: E;
}

/** Hands a verified request to the asynchronous invocation; throws when it could not be queued. */
export type DeferSlackRequest = (request: SlackHttpEvent) => Promise<void>;

export function isDeferredSlackRequest(event: unknown): event is DeferredSlackRequest {
  if (typeof event !== 'object' || event === null || !('rootkeyDeferredSlackRequest' in event)) return false;
  const request = (event as { rootkeyDeferredSlackRequest: unknown }).rootkeyDeferredSlackRequest;
  return typeof request === 'object' && request !== null;
}

/** The action id of a click the function hands over (see {@link DEFERRED_ACTION_IDS}), or undefined. */
export function deferredActionOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { type, actions } = body as { type?: unknown; actions?: unknown };
  if (type !== 'block_actions' || !Array.isArray(actions) || actions.length !== 1) return undefined;
  const actionId = (actions[0] as { action_id?: unknown } | null)?.action_id;
  return typeof actionId === 'string' && DEFERRED_ACTION_IDS.has(actionId) ? actionId : undefined;
}

/**
 * Queues the request for this same function (`AWS_LAMBDA_FUNCTION_NAME`, set by the Lambda runtime).
 * Lambda accepts up to 1 MB for an asynchronous invocation and retries one that fails twice
 * (https://docs.aws.amazon.com/lambda/latest/dg/API_Invoke.html); Slack's click payloads are a few kB.
 */
export function lambdaSelfInvoker(client: LambdaClient, functionName: string): DeferSlackRequest {
  return async (request) => {
    const deferred: DeferredSlackRequest = { rootkeyDeferredSlackRequest: request };
    const out = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify(deferred)),
      }),
    );
    // 202 Accepted is the only answer that means "queued" (the same API answers 200 synchronously).
    if (out.StatusCode !== 202) throw new Error(`Lambda did not queue the request (status ${out.StatusCode})`);
  };
}
