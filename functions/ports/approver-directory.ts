/**
 * Who may decide cases: a Slack user group or an explicit list of user ids. Resolved on every click
 * (adapters may cache briefly), so that removing someone from the group takes effect within minutes.
 */
export interface ApproverDirectory {
  /** User ids of everyone allowed to decide right now. */
  approverIds(): Promise<ReadonlySet<string>>;
  /** Who the approvers are, for refusals ("members of <!subteam^S0…>"); Slack mrkdwn, already safe. */
  describe(): string;
}
