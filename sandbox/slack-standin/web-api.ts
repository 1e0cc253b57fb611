import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  SANDBOX_APPROVER_GROUP,
  SANDBOX_BOT,
  SANDBOX_TEAM,
  type StandinMessage,
  type StandinWorkspace,
} from './workspace';

/** Largest body the stand-in accepts, like Slack's own limits it refuses more rather than buffering forever. */
const MAX_BODY_BYTES = 1_000_000;

/** Fields the Web API client sends JSON-encoded inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'metadata']);

export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Decodes a Web API request body: form-urlencoded (what @slack/web-api sends) or JSON. */
export function parseWebApiArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if (!body) return {};
  if (contentType?.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    if (JSON_FIELDS.has(key)) {
      try {
        args[key] = JSON.parse(value);
        continue;
      } catch {
        // Not JSON: keep the raw string, as Slack would then complain about it.
      }
    }
    args[key] = value;
  }
  return args;
}

type Answer = Record<string, unknown>;

/**
 * The Slack Web API stand-in: the methods the app calls, answered the way Slack answers them, with
 * every call recorded in the workspace. Requests must carry the configured bot token.
 */
export class SlackWebApiStandin {
  constructor(
    private readonly workspace: StandinWorkspace,
    private readonly botToken: string,
  ) {}

  /** Handles `POST <base>/<method>`; `method` is the part after the base path. */
  async handle(method: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    let answer: Answer;
    let status = 200;
    try {
      const body = await readBody(req);
      const args = parseWebApiArgs(body, req.headers['content-type']);
      const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || String(args.token ?? '');
      this.workspace.calls.push({ method, at: new Date().toISOString(), args });
      answer = token === this.botToken ? this.dispatch(method, args) : { ok: false, error: 'invalid_auth' };
    } catch (error) {
      status = (error as { status?: number }).status ?? 400;
      answer = { ok: false, error: status === 413 ? 'request_too_large' : 'invalid_arguments' };
    }
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer));
  }

  /** `response_url` posts from the app (ephemeral answers, replacing the original message). */
  async handleResponseUrl(
    channel: string,
    userId: string,
    messageTs: string | undefined,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    let ok = true;
    try {
      const args = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
      this.workspace.calls.push({ method: 'response_url', at: new Date().toISOString(), args });
      const original = messageTs ? this.workspace.findMessage(channel, messageTs) : undefined;
      if (args.delete_original === true && original) {
        const i = this.workspace.messages.indexOf(original);
        if (i >= 0) this.workspace.messages.splice(i, 1);
      } else if (args.replace_original === true && original) {
        original.text = String(args.text ?? original.text);
        original.blocks = (args.blocks as unknown[] | undefined) ?? original.blocks;
        original.edited = new Date().toISOString();
      } else {
        const ephemeral = args.response_type !== 'in_channel';
        this.post({
          channel,
          text: String(args.text ?? ''),
          blocks: args.blocks as unknown[] | undefined,
          threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : undefined,
          visibleTo: ephemeral ? userId : undefined,
        });
      }
      this.workspace.changed('message');
    } catch {
      ok = false;
    }
    res.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain' });
    res.end(ok ? 'ok' : 'invalid_payload');
  }

  private dispatch(method: string, args: Record<string, unknown>): Answer {
    const ws = this.workspace;
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: `https://${SANDBOX_TEAM.domain}.slack.com/`,
          team: 'rootkey sandbox',
          user: SANDBOX_BOT.name,
          team_id: SANDBOX_TEAM.id,
          user_id: SANDBOX_BOT.id,
          bot_id: SANDBOX_BOT.botId,
        };
      case 'chat.postMessage': {
        if (!args.channel) return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        const m = this.post({
          channel: String(args.channel),
          text: String(args.text ?? ''),
          blocks: args.blocks as unknown[] | undefined,
          threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : undefined,
        });
        ws.changed('message');
        return {
          ok: true,
          channel: m.channel,
          ts: m.ts,
          message: { text: m.text, ts: m.ts, user: m.user, blocks: m.blocks },
        };
      }
      case 'chat.postEphemeral': {
        if (!args.channel || !args.user) return { ok: false, error: 'invalid_arguments' };
        const m = this.post({
          channel: String(args.channel),
          text: String(args.text ?? ''),
          blocks: args.blocks as unknown[] | undefined,
          threadTs: typeof args.thread_ts === 'string' ? args.thread_ts : undefined,
          visibleTo: String(args.user),
        });
        ws.changed('message');
        return { ok: true, message_ts: m.ts };
      }
      case 'chat.update': {
        const m = ws.findMessage(String(args.channel), String(args.ts));
        if (!m) return { ok: false, error: 'message_not_found' };
        if (args.text !== undefined) m.text = String(args.text);
        if (args.blocks !== undefined) m.blocks = args.blocks as unknown[];
        m.edited = new Date().toISOString();
        ws.changed('message');
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
      }
      case 'views.open':
      case 'views.push': {
        if (!args.trigger_id || !args.view) return { ok: false, error: 'invalid_arguments' };
        const userId = String(args.trigger_id).split('.')[0] ?? '';
        const id = ws.nextId('V');
        const view = { ...(args.view as Record<string, unknown>), id };
        ws.views.set(id, { id, userId, view, openedAt: new Date().toISOString() });
        ws.changed('view');
        return { ok: true, view };
      }
      case 'views.update': {
        const existing = ws.views.get(String(args.view_id));
        if (!existing) return { ok: false, error: 'not_found' };
        existing.view = { ...(args.view as Record<string, unknown>), id: existing.id };
        ws.changed('view');
        return { ok: true, view: existing.view };
      }
      case 'usergroups.users.list':
        if (args.usergroup !== SANDBOX_APPROVER_GROUP.id) return { ok: false, error: 'no_such_subteam' };
        return { ok: true, users: ws.approverIds() };
      case 'users.info': {
        const u = ws.user(String(args.user));
        if (!u) return { ok: false, error: 'user_not_found' };
        return {
          ok: true,
          user: {
            id: u.id,
            name: u.name,
            real_name: u.realName,
            profile: { real_name: u.realName, display_name: u.name },
          },
        };
      }
      case 'conversations.info':
        return { ok: true, channel: { id: String(args.channel), name: 'root-keys', is_channel: true } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private post(input: {
    channel: string;
    text: string;
    blocks?: unknown[];
    threadTs?: string;
    visibleTo?: string;
  }): StandinMessage {
    const ws = this.workspace;
    const m: StandinMessage = {
      ts: ws.nextTs(),
      channel: input.channel,
      user: SANDBOX_BOT.id,
      text: input.text,
      ...(input.blocks ? { blocks: input.blocks } : {}),
      ...(input.threadTs ? { threadTs: input.threadTs } : {}),
      ...(input.visibleTo ? { visibleTo: input.visibleTo } : {}),
      replies: [],
    };
    const parent = input.threadTs
      ? ws.messages.find((p) => p.channel === m.channel && p.ts === input.threadTs)
      : undefined;
    if (parent) parent.replies.push(m);
    else ws.messages.push(m);
    return m;
  }
}
