/**
 * The Slack stand-in's workspace: users, a user group, one channel, and every message, thread
 * reply, ephemeral message and modal the app produced. Plain data so the browser page can render
 * it and tests can assert on it.
 */

export interface StandinUser {
  id: string;
  name: string;
  realName: string;
  /** What the sandbox page says about this user. */
  role: 'approver' | 'outsider';
}

export interface StandinMessage {
  ts: string;
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  threadTs?: string;
  /** Set when an ephemeral message: only this user sees it. */
  visibleTo?: string;
  edited?: string;
  replies: StandinMessage[];
}

export interface StandinView {
  id: string;
  userId: string;
  view: Record<string, unknown>;
  openedAt: string;
  closed?: boolean;
  /** Errors from the last submission (`response_action: 'errors'`). */
  errors?: Record<string, string>;
}

export interface StandinCall {
  method: string;
  at: string;
  args: Record<string, unknown>;
}

export const SANDBOX_USERS: readonly StandinUser[] = [
  { id: 'U0SANDBOXAL', name: 'alice', realName: 'Alice Approver', role: 'approver' },
  { id: 'U0SANDBOXBO', name: 'bob', realName: 'Bob Approver', role: 'approver' },
  { id: 'U0SANDBOXMA', name: 'mallory', realName: 'Mallory Outsider', role: 'outsider' },
];

export const SANDBOX_TEAM = { id: 'T0SANDBOX', domain: 'rootkey-sandbox' };
export const SANDBOX_CHANNEL = { id: 'C0ROOTKEYS', name: 'root-keys' };
export const SANDBOX_APPROVER_GROUP = { id: 'S0SECURITY', handle: 'security-approvers' };
export const SANDBOX_BOT = { id: 'U0ROOTKEYBOT', botId: 'B0ROOTKEY', name: 'rootkey' };

export class StandinWorkspace {
  readonly users: StandinUser[] = [...SANDBOX_USERS];
  readonly messages: StandinMessage[] = [];
  readonly views = new Map<string, StandinView>();
  readonly calls: StandinCall[] = [];
  private seq = 0;
  private readonly listeners = new Set<(kind: string) => void>();

  /** Slack timestamps are unique per channel: seconds.micro, monotonically increasing here. */
  nextTs(): string {
    this.seq += 1;
    const seconds = Math.floor(Date.now() / 1000);
    return `${seconds}.${String(this.seq).padStart(6, '0')}`;
  }

  nextId(prefix: string): string {
    this.seq += 1;
    return `${prefix}${this.seq.toString(36).toUpperCase().padStart(8, '0')}`;
  }

  user(id: string): StandinUser | undefined {
    return this.users.find((u) => u.id === id);
  }

  approverIds(): string[] {
    return this.users.filter((u) => u.role === 'approver').map((u) => u.id);
  }

  findMessage(channel: string, ts: string): StandinMessage | undefined {
    for (const m of this.messages) {
      if (m.channel !== channel) continue;
      if (m.ts === ts) return m;
      const reply = m.replies.find((r) => r.ts === ts);
      if (reply) return reply;
    }
    return undefined;
  }

  /** Messages as one user sees them: ephemerals of others hidden. */
  visibleTo(userId: string): StandinMessage[] {
    const visible = (m: StandinMessage) => !m.visibleTo || m.visibleTo === userId;
    return this.messages.filter(visible).map((m) => ({ ...m, replies: m.replies.filter(visible) }));
  }

  onChange(listener: (kind: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(kind: string): void {
    for (const l of this.listeners) l(kind);
  }
}
