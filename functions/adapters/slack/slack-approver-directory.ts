import type { WebClient } from '@slack/web-api';
import { systemClock, type ClockPort } from '../../ports/clock';
import type { ApproverDirectory } from '../../ports/approver-directory';
import { mentionGroup, mentionUser } from './blocks/escape-slack-text';

export interface SlackApproverDirectoryOptions {
  /** A WebClient with the bot token (scope `usergroups:read` when a group is used). */
  client: WebClient;
  /** User group id (`SLACK_APPROVER_GROUP`), resolved with `usergroups.users.list`. */
  groupId?: string;
  /** Explicit user ids (`SLACK_APPROVERS`); with a group, both count. */
  userIds?: readonly string[];
  /** How long a resolved group stays cached; short, so that removing someone takes effect soon. */
  cacheSeconds?: number;
  clock?: ClockPort;
}

/**
 * Approvers from Slack: the members of a user group (cached for `cacheSeconds`, 60 by default)
 * and/or an explicit list of user ids. When the group cannot be resolved the error propagates: a
 * click is then refused rather than authorized on stale or missing data.
 */
export class SlackApproverDirectory implements ApproverDirectory {
  private cached?: { ids: ReadonlySet<string>; until: number };
  private inFlight?: Promise<ReadonlySet<string>>;
  private readonly clock: ClockPort;

  constructor(private readonly options: SlackApproverDirectoryOptions) {
    if (!options.groupId && (options.userIds ?? []).length === 0) {
      throw new Error('An approver directory needs a user group id or at least one user id');
    }
    this.clock = options.clock ?? systemClock;
  }

  async approverIds(): Promise<ReadonlySet<string>> {
    const explicit = this.options.userIds ?? [];
    if (!this.options.groupId) return new Set(explicit);
    const now = this.clock.now().getTime();
    if (this.cached && this.cached.until > now) return this.cached.ids;
    // Concurrent clicks share one lookup instead of each calling Slack.
    this.inFlight ??= this.resolveGroup(this.options.groupId).finally(() => {
      this.inFlight = undefined;
    });
    const members = await this.inFlight;
    const ids = new Set([...explicit, ...members]);
    this.cached = { ids, until: now + (this.options.cacheSeconds ?? 60) * 1000 };
    return ids;
  }

  describe(): string {
    const parts: string[] = [];
    if (this.options.groupId) parts.push(`members of ${mentionGroup(this.options.groupId)}`);
    const users = this.options.userIds ?? [];
    if (users.length > 0) parts.push(users.slice(0, 10).map(mentionUser).join(', '));
    return parts.join(' and ');
  }

  private async resolveGroup(groupId: string): Promise<ReadonlySet<string>> {
    const result = await this.options.client.usergroups.users.list({ usergroup: groupId });
    return new Set(result.users ?? []);
  }
}

/** A fixed set of approvers (the sandbox, tests, or `SLACK_APPROVERS` without Slack lookups). */
export class StaticApproverDirectory implements ApproverDirectory {
  private readonly ids: ReadonlySet<string>;

  constructor(userIds: readonly string[]) {
    this.ids = new Set(userIds);
  }

  async approverIds(): Promise<ReadonlySet<string>> {
    return this.ids;
  }

  describe(): string {
    return [...this.ids].slice(0, 10).map(mentionUser).join(', ') || 'nobody';
  }
}
