import type { App } from '@slack/bolt';
import { isAccountId } from '../../../functions/core/account';
import { isAuthorizedApprover } from '../../../functions/core/approval-policy';
import { describeError } from '../../../functions/core/errors';
import {
  helpReply,
  scanStartedReply,
  statusReply,
  usageReply,
} from '../../../functions/adapters/slack/blocks/command-replies';
import { voteRefusalText } from '../../../functions/adapters/slack/blocks/replies';
import { parseCommand } from '../../payloads';
import type { ListenerContext } from '../listener-context';

export const ROOTKEY_COMMAND = '/rootkey';

/**
 * `/rootkey status | scan ACCOUNT | help`. Answers are ephemeral. Usage errors are answered in the ack
 * itself; reading cases and starting a check happen after the ack and answer through `respond`.
 * Reading the status and starting a check are authorized like an approval.
 */
export function registerRootkeyCommand(app: App, ctx: ListenerContext): void {
  app.command(ROOTKEY_COMMAND, async ({ ack, body, respond, logger }) => {
    const cmd = parseCommand(body);
    const [sub, ...rest] = cmd.words;
    const reply = (text: string) => respond({ response_type: 'ephemeral', text });
    if (sub === 'status' && rest.length === 0) {
      await ack();
      // Which accounts hold root keys is for approvers only; others are refused privately (ephemeral).
      const approvers = ctx.services.approvers;
      if (!isAuthorizedApprover(cmd.userId, await approvers.approverIds())) {
        await reply(voteRefusalText({ code: 'not-approver' }, approvers.describe()));
      } else {
        await reply(statusReply(await ctx.services.cases.list({ openOnly: true })));
      }
    } else if (sub === 'scan' && rest.length === 1 && isAccountId(rest[0]!)) {
      await ack({ response_type: 'ephemeral', text: `Checking that you may start a check of \`${rest[0]}\`…` });
      const approvers = ctx.services.approvers;
      if (!isAuthorizedApprover(cmd.userId, await approvers.approverIds())) {
        await reply(voteRefusalText({ code: 'not-approver' }, approvers.describe()));
      } else if (!ctx.services.starter) {
        await reply('Starting a check is not available in this deployment.');
      } else {
        try {
          const input = {
            source: 'manual',
            accountId: rest[0]!,
            detectedAt: ctx.services.clock.now().toISOString(),
            requestedBy: cmd.userId,
          };
          const { executionId } = await ctx.services.starter.startCaseWorkflow(input);
          await reply(scanStartedReply(rest[0]!, executionId));
        } catch (error) {
          logger.error(`Could not start a check of ${rest[0]}: ${describeError(error).message}`);
          await reply(':warning: The check could not be started; nothing was changed. Try again in a minute.');
        }
      }
    } else if (sub === 'scan') {
      await ack({
        response_type: 'ephemeral',
        text: usageReply('`scan` takes one AWS account id: 12 digits.', cmd.command),
      });
    } else if (sub === undefined || sub === 'help') {
      await ack({ response_type: 'ephemeral', text: helpReply(cmd.command) });
    } else {
      await ack({ response_type: 'ephemeral', text: usageReply(`Unknown subcommand "${sub}".`, cmd.command) });
    }
  });
}
