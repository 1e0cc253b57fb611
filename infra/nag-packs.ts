import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';

/**
 * Registers the cdk-nag packs (AwsSolutions, PCI DSS 3.2.1, Serverless) as validation plugins:
 * any unacknowledged finding fails synthesis. Acknowledgements sit next to the construct they
 * concern (`constructs/acknowledge.ts`), each with its reason.
 */
export function applyNagPacks(app: App): void {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new PCIDSS321Checks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
}
