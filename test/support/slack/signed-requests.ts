import { createHmac } from 'node:crypto';

/** Slack's v0 request signature: HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret. */
export function signSlackRequest(
  signingSecret: string,
  body: string,
  timestamp = Math.floor(Date.now() / 1000),
): { 'x-slack-request-timestamp': string; 'x-slack-signature': string } {
  const signature = `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

export interface SlackRequestOptions {
  signingSecret: string;
  /** Sign with this timestamp (seconds) instead of now, e.g. to send a stale request. */
  timestamp?: number;
  /** Send this signature instead of the right one. */
  signature?: string;
}

/** POSTs a form body to the app's `/slack/events` the way Slack does, signed. */
export async function sendToSlackApp(
  url: string,
  body: string,
  options: SlackRequestOptions,
): Promise<{ status: number; body: string }> {
  const headers = signSlackRequest(options.signingSecret, body, options.timestamp);
  if (options.signature) headers['x-slack-signature'] = options.signature;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: response.status, body: await response.text() };
}

export interface SlackUser {
  id: string;
  name: string;
}

const TEAM = { id: 'T0TEST', domain: 'rootkey-test' };

/** Each click gets its own Slack action time, as real clicks do; a replay reuses the body (and so the time). */
let actionCounter = 0;
function nextActionTs(): string {
  actionCounter += 1;
  return `1780315200.${String(actionCounter).padStart(6, '0')}`;
}

/** A `block_actions` payload for a button click on a message, form-encoded as Slack sends it. */
export function buttonClickBody(input: {
  user: SlackUser;
  actionId: string;
  value: string;
  blockId?: string;
  channel: string;
  messageTs: string;
  triggerId?: string;
  actionTs?: string;
}): string {
  const payload = {
    type: 'block_actions',
    team: TEAM,
    user: { id: input.user.id, username: input.user.name, name: input.user.name, team_id: TEAM.id },
    api_app_id: 'A0ROOTKEY',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: input.messageTs, channel_id: input.channel, is_ephemeral: false },
    trigger_id: input.triggerId ?? `${input.user.id}.trigger`,
    channel: { id: input.channel, name: 'root-keys' },
    message: { type: 'message', ts: input.messageTs, text: 'approval request' },
    response_url: 'https://hooks.slack.invalid/actions/unused',
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: input.blockId ?? 'rootkey.decision-actions',
        value: input.value,
        action_ts: input.actionTs ?? nextActionTs(),
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A `view_submission` payload for a modal the app opened (`view` as the app sent it to views.open). */
export function viewSubmissionBody(input: {
  user: SlackUser;
  view: Record<string, unknown>;
  values: Record<string, Record<string, { value?: string | null; selected_date?: string | null; type: string }>>;
}): string {
  const payload = {
    type: 'view_submission',
    team: TEAM,
    user: { id: input.user.id, username: input.user.name, name: input.user.name, team_id: TEAM.id },
    api_app_id: 'A0ROOTKEY',
    token: 'legacy-verification-token',
    trigger_id: `${input.user.id}.submit`,
    view: { ...input.view, id: 'V0MODAL', team_id: TEAM.id, state: { values: input.values } },
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A slash command as Slack posts it. */
export function slashCommandBody(input: {
  user: SlackUser;
  text: string;
  channel: string;
  responseUrl: string;
}): string {
  return new URLSearchParams({
    token: 'legacy-verification-token',
    team_id: TEAM.id,
    team_domain: TEAM.domain,
    channel_id: input.channel,
    channel_name: 'root-keys',
    user_id: input.user.id,
    user_name: input.user.name,
    command: '/rootkey',
    text: input.text,
    api_app_id: 'A0ROOTKEY',
    response_url: input.responseUrl,
    trigger_id: `${input.user.id}.command`,
  }).toString();
}
