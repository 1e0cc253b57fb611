import { createHmac, randomBytes } from 'node:crypto';
import { SANDBOX_TEAM, type StandinUser, type StandinWorkspace } from './workspace';

/** Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
export function signSlackRequest(
  signingSecret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

export interface ClickInput {
  user: StandinUser;
  channel: string;
  messageTs: string;
  actionId: string;
  blockId?: string;
  value?: string;
}

export interface SubmitInput {
  user: StandinUser;
  viewId: string;
  /** Input values by block id → action id → value (plain text or a YYYY-MM-DD date). */
  values: Record<string, Record<string, string>>;
}

/**
 * Sends what a Slack client would: interaction payloads and slash commands, signed with the app's
 * signing secret, as real HTTP requests to the app's `POST /slack/events`. Bolt verifies them like
 * any request from Slack; nothing here bypasses that.
 */
export class InteractionSender {
  constructor(
    private readonly workspace: StandinWorkspace,
    private readonly options: { eventsUrl: string; signingSecret: string; responseUrlBase: string },
  ) {}

  async click(input: ClickInput): Promise<{ status: number; body: string }> {
    const message = this.workspace.findMessage(input.channel, input.messageTs);
    const payload = {
      type: 'block_actions',
      user: this.slackUser(input.user),
      api_app_id: 'A0ROOTKEY',
      token: 'deprecated-verification-token',
      container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
      trigger_id: this.triggerId(input.user),
      team: SANDBOX_TEAM,
      channel: { id: input.channel, name: 'root-keys' },
      message: message
        ? {
            type: 'message',
            ts: message.ts,
            text: message.text,
            blocks: message.blocks ?? [],
            thread_ts: message.threadTs,
          }
        : undefined,
      response_url: `${this.options.responseUrlBase}/${encodeURIComponent(input.channel)}/${input.user.id}/${input.messageTs}`,
      actions: [
        {
          type: 'button',
          action_id: input.actionId,
          block_id: input.blockId ?? 'actions',
          value: input.value,
          action_ts: `${Date.now() / 1000}`,
        },
      ],
    };
    return this.sendPayload(payload);
  }

  async submitView(input: SubmitInput): Promise<{ status: number; body: string }> {
    const stored = this.workspace.views.get(input.viewId);
    if (!stored) return { status: 404, body: 'no such view' };
    const values: Record<string, Record<string, unknown>> = {};
    for (const [blockId, actions] of Object.entries(input.values)) {
      values[blockId] = {};
      for (const [actionId, value] of Object.entries(actions)) {
        values[blockId][actionId] = /^\d{4}-\d{2}-\d{2}$/.test(value)
          ? { type: 'datepicker', selected_date: value }
          : { type: 'plain_text_input', value };
      }
    }
    const payload = {
      type: 'view_submission',
      team: SANDBOX_TEAM,
      user: this.slackUser(input.user),
      api_app_id: 'A0ROOTKEY',
      token: 'deprecated-verification-token',
      trigger_id: this.triggerId(input.user),
      view: { ...stored.view, id: stored.id, team_id: SANDBOX_TEAM.id, state: { values } },
    };
    const result = await this.sendPayload(payload);
    // Bolt answers an empty 200 when the modal may close, or `response_action: errors` to keep it open.
    const parsed = result.body
      ? (JSON.parse(result.body) as { response_action?: string; errors?: Record<string, string> })
      : {};
    if (result.status === 200 && parsed.response_action === 'errors') {
      stored.errors = parsed.errors ?? {};
    } else if (result.status === 200) {
      stored.closed = true;
      stored.errors = undefined;
    }
    this.workspace.changed('view');
    return result;
  }

  async command(
    user: StandinUser,
    channel: string,
    command: string,
    text: string,
  ): Promise<{ status: number; body: string }> {
    const form = new URLSearchParams({
      token: 'deprecated-verification-token',
      team_id: SANDBOX_TEAM.id,
      team_domain: SANDBOX_TEAM.domain,
      channel_id: channel,
      channel_name: 'root-keys',
      user_id: user.id,
      user_name: user.name,
      command,
      text,
      api_app_id: 'A0ROOTKEY',
      response_url: `${this.options.responseUrlBase}/${encodeURIComponent(channel)}/${user.id}/-`,
      trigger_id: this.triggerId(user),
    });
    return this.send(form.toString());
  }

  private async sendPayload(payload: unknown): Promise<{ status: number; body: string }> {
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  private async send(body: string): Promise<{ status: number; body: string }> {
    const response = await fetch(this.options.eventsUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...signSlackRequest(this.options.signingSecret, body),
      },
      body,
    });
    return { status: response.status, body: await response.text() };
  }

  private slackUser(user: StandinUser) {
    return { id: user.id, username: user.name, name: user.name, team_id: SANDBOX_TEAM.id };
  }

  /** Trigger ids start with the user id so that `views.open` knows whose screen the modal opens on. */
  private triggerId(user: StandinUser): string {
    return `${user.id}.${randomBytes(6).toString('hex')}`;
  }
}
