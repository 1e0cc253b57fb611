import type { App } from '@slack/bolt';
import type { DecisionAction } from '../../../functions/core/case';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import { parseButtonClick } from '../../payloads';
import type { ListenerContext } from '../listener-context';
import { submitVote } from '../submit-vote';

/**
 * "Delete the key" (behind a confirm dialog) and "Guide me through manual removal": each click is a
 * vote. Ack first (Slack wants an answer within 3 seconds), then record it.
 */
export function registerDecisionButtons(app: App, ctx: ListenerContext): void {
  const buttons: [string, DecisionAction][] = [
    [ACTION_IDS.delete, 'delete'],
    [ACTION_IDS.runbook, 'runbook'],
  ];
  for (const [actionId, action] of buttons) {
    app.action(actionId, async ({ ack, body, client, logger }) => {
      await ack();
      const click = parseButtonClick(body);
      const input = {
        caseId: click.caseId,
        userId: click.userId,
        action,
        ...(click.userName ? { userName: click.userName } : {}),
        ...(click.actionTs ? { actionTs: click.actionTs } : {}),
      };
      await ctx.afterAck(() => submitVote(ctx, client, logger, input, click.message));
    });
  }
}
