import type { App } from '@slack/bolt';
import { isAuthorizedApprover, waitingState } from '../../../functions/core/approval-policy';
import { buildExceptionModal, type ExceptionAction } from '../../../functions/adapters/slack/blocks/exception-modal';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import { voteRefusalText } from '../../../functions/adapters/slack/blocks/replies';
import { parseButtonClick } from '../../payloads';
import { tellUser, type ListenerContext } from '../listener-context';

/**
 * "Accept the risk…" and "Reject…" open a modal for the reason and the expiry. Outsiders and clicks on
 * a request that no longer waits are answered instead, before any modal opens. `views.open` must run
 * within 3 seconds of the click (the trigger id expires), which the cached approver lookup allows.
 */
export function registerExceptionButtons(app: App, ctx: ListenerContext): void {
  const buttons: [string, ExceptionAction][] = [
    [ACTION_IDS.acceptRisk, 'accept-risk'],
    [ACTION_IDS.reject, 'reject'],
  ];
  for (const [actionId, action] of buttons) {
    app.action(actionId, async ({ ack, body, client, logger }) => {
      await ack();
      const click = parseButtonClick(body);
      const where = { channel: click.message?.channel ?? ctx.channel, userId: click.userId };
      const approvers = ctx.services.approvers;
      const c = await ctx.services.cases.get(click.caseId);
      const refusal = isAuthorizedApprover(click.userId, await approvers.approverIds())
        ? waitingState(c)
        : ({ code: 'not-approver' } as const);
      if (refusal || !click.triggerId) {
        if (refusal) await tellUser(client, logger, where, voteRefusalText(refusal, approvers.describe()));
        return;
      }
      const metadata = {
        caseId: c.caseId,
        action,
        ...(click.message ? { channel: click.message.channel, messageTs: click.message.ts } : {}),
      };
      await client.views.open({
        trigger_id: click.triggerId,
        view: buildExceptionModal(c, metadata, ctx.services.clock.now()),
      });
    });
  }
}
