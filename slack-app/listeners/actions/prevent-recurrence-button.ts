import type { App, Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { preventionRefusalText } from '../../../functions/core/guardrail-offer';
import { describeError } from '../../../functions/core/errors';
import {
  recordPreventionFailure,
  recordPreventionVote,
  votePrevention,
} from '../../../functions/services/prevent-recurrence';
import { parseButtonClick } from '../../payloads';
import { failureText } from '../../../functions/adapters/slack/blocks/replies';
import {
  PREVENTION_ACTION_ID,
  buildPreventionApplying,
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
    await ctx.afterAck(() => applyVote(body, client, logger));
  });

  async function applyVote(body: unknown, client: WebClient, logger: Logger): Promise<void> {
    const click = parseButtonClick(body);
    const where = { channel: click.message?.channel ?? ctx.channel, userId: click.userId };
    const { prevention, preventionStarter } = ctx.services;
    if (!prevention && !preventionStarter) {
      await tellUser(client, logger, where, 'Prevention is not available in this deployment. Nothing was changed.');
      return;
    }
    const input = {
      caseId: click.caseId,
      userId: click.userId,
      ...(click.userName ? { userName: click.userName } : {}),
    };
    try {
      // In AWS this function only records the vote; the Prevention state machine applies (it alone
      // holds the Organizations permissions). Inline otherwise (sandbox, serve).
      const result =
        preventionStarter || !prevention
          ? await recordPreventionVote(ctx.services, ctx.services.approvers, input)
          : await votePrevention(prevention, ctx.services.approvers, input);
      if (result.status === 'refused') {
        await tellUser(client, logger, where, preventionRefusalText(result.refusal, ctx.services.approvers.describe()));
      } else if (result.status === 'recorded') {
        await ctx.notifier.reply(
          result.case,
          buildPreventionVoteRecorded(click.userId, result.agreeing, result.required),
        );
      } else if (result.status === 'approved' && preventionStarter) {
        try {
          // Named after the case: a repeated start is the same execution, never a second apply.
          await preventionStarter.startCaseWorkflow({ caseId: result.case.caseId }, `prevent-${result.case.caseId}`);
        } catch (error) {
          const failed = await recordPreventionFailure(ctx.services, result.case.caseId, describeError(error));
          const message = buildPreventionResult(failed);
          if (click.message)
            await client.chat.update({ channel: click.message.channel, ts: click.message.ts, ...message });
          await ctx.notifier.reply(failed, message);
          return;
        }
        if (click.message)
          await client.chat.update({
            channel: click.message.channel,
            ts: click.message.ts,
            ...buildPreventionApplying(result.case),
          });
      } else if (result.status !== 'approved') {
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
  }
}
