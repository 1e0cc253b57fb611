import type { App } from '@slack/bolt';
import { preventionRefusalText } from '../../../functions/core/guardrail-offer';
import { describeError } from '../../../functions/core/errors';
import { votePrevention } from '../../../functions/services/prevent-recurrence';
import { parseButtonClick } from '../../payloads';
import { failureText } from '../../../functions/adapters/slack/blocks/replies';
import {
  PREVENTION_ACTION_ID,
  buildPreventionResult,
  buildPreventionVoteRecorded,
} from '../../../functions/adapters/slack/blocks/prevention-message';
import { tellUser, type ListenerContext } from '../listener-context';

/**
 * "Prevent recurrence…": each click is an approver's vote (four-eyes honoured). Ack first; then the
 * service applies the offer exactly once and the thread says what changed.
 */
export function registerPreventRecurrenceButton(app: App, ctx: ListenerContext): void {
  app.action(PREVENTION_ACTION_ID, async ({ ack, body, client, logger }) => {
    await ack();
    const click = parseButtonClick(body);
    const where = { channel: click.message?.channel ?? ctx.channel, userId: click.userId };
    const prevention = ctx.services.prevention;
    if (!prevention) {
      await tellUser(client, logger, where, 'Prevention is not available in this deployment. Nothing was changed.');
      return;
    }
    try {
      const result = await votePrevention(prevention, ctx.services.approvers, {
        caseId: click.caseId,
        userId: click.userId,
        ...(click.userName ? { userName: click.userName } : {}),
      });
      if (result.status === 'refused') {
        await tellUser(client, logger, where, preventionRefusalText(result.refusal, ctx.services.approvers.describe()));
      } else if (result.status === 'recorded') {
        await ctx.notifier.reply(
          result.case,
          buildPreventionVoteRecorded(click.userId, result.agreeing, result.required),
        );
      } else {
        const message = buildPreventionResult(result.case);
        if (click.message)
          await client.chat.update({ channel: click.message.channel, ts: click.message.ts, ...message });
        await ctx.notifier.reply(result.case, message);
      }
    } catch (error) {
      const { name, message } = describeError(error);
      logger.error(`Prevention vote on ${click.caseId} by ${click.userId} failed: ${name}: ${message}`);
      await tellUser(client, logger, where, failureText(name));
    }
  });
}
