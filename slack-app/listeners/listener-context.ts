import type { Logger } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { SlackNotifier } from '../../functions/adapters/slack/slack-notifier';
import type { SlackAppServices } from '../services';
import type { WorkAfterAck } from '../work-after-ack';

/** What every listener gets besides Bolt's arguments. */
export interface ListenerContext {
  services: SlackAppServices;
  /** Renders and posts messages (approval message updates, thread replies). */
  notifier: SlackNotifier;
  /** Channel of the approval requests, for answers when a payload names none. */
  channel: string;
  /**
   * Runs the work of a vote or runbook click after its ack (bounded in one process, see
   * slack-app/work-after-ack.ts). Not for work that must finish within 3 s of the click (opening a modal).
   */
  afterAck: WorkAfterAck;
}

/**
 * Tells one person something only they see. A failure to answer is logged, never thrown: the
 * decision it reports has already been made or refused.
 */
export async function tellUser(
  client: WebClient,
  logger: Logger,
  where: { channel: string; userId: string; threadTs?: string },
  text: string,
): Promise<void> {
  try {
    await client.chat.postEphemeral({
      channel: where.channel,
      user: where.userId,
      text,
      ...(where.threadTs ? { thread_ts: where.threadTs } : {}),
    });
  } catch (error) {
    logger.warn(`Could not answer ${where.userId} ephemerally: ${(error as Error).message}`);
  }
}
