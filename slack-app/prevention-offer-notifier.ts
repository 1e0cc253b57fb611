import type { Case } from '../functions/core/case';
import { describeError } from '../functions/core/errors';
import type { SlackNotifierBase } from '../functions/adapters/slack/slack-notifier-base';
import { ForwardingNotifier } from '../functions/services/forwarding-notifier';
import { offerPrevention, type PreventionDeps } from '../functions/services/prevent-recurrence';
import { buildPreventionOffer } from '../functions/adapters/slack/blocks/prevention-message';

/**
 * The Slack notifier, plus "Prevent recurrence…": right after a remediated outcome is posted, it
 * asks the prevention service whether the account could get a root key again and, if so, posts the
 * offer in the same thread. A failure here is logged and never thrown: the case has already ended,
 * and prevention must not change how (DESIGN: faults delay, they never change an outcome).
 */
export class PreventionOfferingNotifier extends ForwardingNotifier<SlackNotifierBase> {
  constructor(
    inner: SlackNotifierBase,
    private readonly prevention: PreventionDeps,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    super(inner);
  }

  override async outcome(c: Case, evidence: { digest: string; reportLocation?: string }): Promise<void> {
    await this.inner.outcome(c, evidence);
    if (c.status !== 'remediated') return;
    try {
      const offered = await offerPrevention(this.prevention, c.caseId);
      if (offered?.guardrail) await this.inner.reply(offered, buildPreventionOffer(offered));
    } catch (error) {
      const { name, message } = describeError(error);
      this.log(`Prevention offer for ${c.caseId} failed: ${name}: ${message}`);
    }
  }
}
