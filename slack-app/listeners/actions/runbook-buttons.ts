import type { App } from '@slack/bolt';
import { runbookForCase } from '../../../functions/core/runbook';
import {
  confirmRunbookStep,
  requestVerifyNow,
  type RunbookClickResult,
} from '../../../functions/services/confirm-runbook-step';
import { ACTION_IDS } from '../../../functions/adapters/slack/blocks/ids';
import {
  runbookExpiredText,
  runbookRefusalText,
  runbookSentText,
} from '../../../functions/adapters/slack/blocks/replies';
import { buildRunbookStepDone } from '../../../functions/adapters/slack/blocks/runbook-step-message';
import { parseButtonClick, stepIdOf, type ButtonClick } from '../../payloads';
import { tellUser, type ListenerContext } from '../listener-context';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '@slack/bolt';

/** "Step done" answers the runbook step the workflow waits for; "Verify now" asks for a check at once. */
export function registerRunbookButtons(app: App, ctx: ListenerContext): void {
  app.action(ACTION_IDS.confirmStep, async ({ ack, body, client, logger }) => {
    await ack();
    const click = parseButtonClick(body);
    await ctx.afterAck(async () => {
      const result = await confirmRunbookStep(ctx.services, ctx.services.callbacks, ctx.services.approvers, {
        ...who(click),
        stepId: stepIdOf(click),
      });
      await answer(ctx, client, logger, click, result);
    });
  });
  app.action(ACTION_IDS.verifyNow, async ({ ack, body, client, logger }) => {
    await ack();
    const click = parseButtonClick(body);
    await ctx.afterAck(async () => {
      const result = await requestVerifyNow(ctx.services, ctx.services.callbacks, ctx.services.approvers, who(click));
      await answer(ctx, client, logger, click, result);
    });
  });
}

function who(click: ButtonClick) {
  return {
    caseId: click.caseId,
    userId: click.userId,
    ...(click.userName ? { userName: click.userName } : {}),
    ...(click.actionTs ? { actionTs: click.actionTs } : {}),
  };
}

/** A confirmed step loses its buttons and says who confirmed it; everything else is told to the clicker. */
async function answer(
  ctx: ListenerContext,
  client: WebClient,
  logger: Logger,
  click: ButtonClick,
  result: RunbookClickResult,
): Promise<void> {
  const where = { channel: click.message?.channel ?? ctx.channel, userId: click.userId };
  if (result.status === 'refused') {
    await tellUser(client, logger, where, runbookRefusalText(result.refusal, ctx.services.approvers.describe()));
  } else if (result.status === 'expired') {
    await tellUser(client, logger, where, runbookExpiredText());
  } else if (result.output.kind === 'step-confirmed' && click.message) {
    const runbook = (ctx.services.runbookFor ?? runbookForCase)(result.case, ctx.services.clock.now());
    const done = buildRunbookStepDone(runbook, result.output.stepId, result.output.by, result.output.at);
    await client.chat.update({ channel: click.message.channel, ts: click.message.ts, ...done });
  } else {
    await tellUser(client, logger, where, runbookSentText(result.output));
  }
}
