import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { SlackMessageRef } from '../../functions/core/case';
import { describeError } from '../../functions/core/errors';
import { recordVote, type VoteInput, type VoteResult } from '../../functions/services/record-vote';
import { buildDecisionAnnouncement, buildVoteRecorded } from '../../functions/adapters/slack/blocks/thread-messages';
import { failureText, lateDecisionText, voteRefusalText } from '../../functions/adapters/slack/blocks/replies';
import { tellUser, type ListenerContext } from './listener-context';

/**
 * Records a vote (button or modal) and shows its effect: a decision replaces the buttons and is
 * announced in the thread; a counted four-eyes vote is noted in the thread; refusals and late clicks
 * are answered to the clicker alone. Runs after the ack.
 */
export async function submitVote(
  ctx: ListenerContext,
  client: WebClient,
  logger: Logger,
  input: VoteInput,
  clicked?: SlackMessageRef,
): Promise<VoteResult | undefined> {
  const where = { channel: clicked?.channel ?? ctx.channel, userId: input.userId };
  let result: VoteResult;
  try {
    result = await recordVote(ctx.services, ctx.services.callbacks, ctx.services.approvers, input);
  } catch (error) {
    const { name, message } = describeError(error);
    logger.error(`Vote on ${input.caseId} by ${input.userId} failed: ${name}: ${message}`);
    await tellUser(client, logger, where, failureText(name));
    return undefined;
  }
  const message = result.case.approval?.message ?? clicked;
  try {
    switch (result.status) {
      case 'decided':
        // The buttons give way to the decision and the thread announces it: two independent Slack
        // calls, made together (in Lambda, Slack waits for both before it gets its HTTP answer).
        await settledAll([
          message ? ctx.notifier.updateApprovalMessage(message, result.case) : undefined,
          ctx.notifier.reply(result.case, buildDecisionAnnouncement(result.case)),
        ]);
        break;
      case 'recorded':
        await ctx.notifier.reply(result.case, buildVoteRecorded(result.vote, result.agreeing, result.required));
        break;
      case 'expired':
        if (message) await ctx.notifier.updateApprovalMessage(message, result.case);
        await tellUser(client, logger, where, lateDecisionText(result.case.closedAt));
        break;
      case 'refused':
        await tellUser(client, logger, where, voteRefusalText(result.refusal, ctx.services.approvers.describe()));
        break;
    }
  } catch (error) {
    // The vote itself is recorded; only showing it failed. The workflow's notifier shows it again.
    logger.warn(`Could not show the result of the vote on ${input.caseId}: ${(error as Error).message}`);
  }
  return result;
}

/** Waits for every call; then throws the first failure (each call is attempted whatever the others do). */
async function settledAll(calls: (Promise<unknown> | undefined)[]): Promise<void> {
  const results = await Promise.allSettled(calls);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
