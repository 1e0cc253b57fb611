import type { App } from '@slack/bolt';
import { hasErrors, readExceptionForm } from '../../../functions/core/approval-policy';
import { exceptionErrorsForModal } from '../../../functions/adapters/slack/blocks/exception-modal';
import { VIEW_IDS } from '../../../functions/adapters/slack/blocks/ids';
import { parseExceptionSubmission } from '../../payloads';
import type { ListenerContext } from '../listener-context';
import { submitVote } from '../submit-vote';

/**
 * The reason/expiry modal. Field errors keep it open (`response_action: 'errors'`); a valid form
 * closes it and becomes a vote, with the same rules applied again by the policy on the stored case.
 */
export function registerExceptionSubmission(app: App, ctx: ListenerContext): void {
  app.view(VIEW_IDS.exception, async ({ ack, body, client, logger }) => {
    const form = parseExceptionSubmission(body);
    const { metadata } = form;
    const read = readExceptionForm(
      { action: metadata.action, reason: form.reason, date: form.date },
      ctx.services.clock.now(),
    );
    if (hasErrors(read.errors)) {
      await ack({ response_action: 'errors', errors: exceptionErrorsForModal(read.errors) });
      return;
    }
    await ack();
    const input = {
      caseId: metadata.caseId,
      userId: form.userId,
      action: metadata.action,
      reason: read.reason,
      ...(form.userName ? { userName: form.userName } : {}),
      ...(read.expiresAt ? { expiresAt: read.expiresAt } : {}),
    };
    const clicked =
      metadata.channel && metadata.messageTs ? { channel: metadata.channel, ts: metadata.messageTs } : undefined;
    await ctx.afterAck(() => submitVote(ctx, client, logger, input, clicked));
  });
}
