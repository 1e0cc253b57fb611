import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Aws, type AppProps } from 'aws-cdk-lib';
import { readConfig, type RootKeyConfig } from './config';
import { applyNagPacks } from './nag-packs';
import { CentralStack } from './stacks/central-stack';
import { MemberAccountStack } from './stacks/member-account-stack';

/** Stack names, as `cdk deploy` and the StackSet take them. */
export const CENTRAL_STACK_NAME = 'RootKeyCentral';
export const MEMBER_STACK_NAME = 'RootKeyMemberAccount';

export interface RootKeyApp {
  app: App;
  config: RootKeyConfig;
  central: CentralStack;
  member: MemberAccountStack;
}

/**
 * The context of `cdk.json` (feature flags and `rootkey:*` settings). The CDK CLI passes it to the
 * app itself; tests and the local runner build the app in-process and pass it explicitly, so that
 * they synthesize exactly what `cdk synth` does.
 */
export function cdkJsonContext(file = path.resolve(__dirname, '..', 'cdk.json')): Record<string, unknown> {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return parsed.context ?? {};
}

/**
 * Builds the CDK app: the central stack (in the configured account and Region when they are real,
 * env-agnostic otherwise, so that synthesis needs no credentials and does no lookups) and the member
 * account stack for the StackSet. Context (cdk.json, `-c`, or `props.context`) configures it.
 */
export function buildRootKeyApp(props: AppProps = {}): RootKeyApp {
  const app = new App(props);
  const config = readConfig((key) => app.node.tryGetContext(key));
  const central = new CentralStack(app, CENTRAL_STACK_NAME, {
    description: 'rootkey: detect, approve in Slack, remove and prove the removal of AWS root user access keys',
    env: { account: config.centralAccountId, region: config.centralRegion },
    config,
  });
  const member = new MemberAccountStack(app, MEMBER_STACK_NAME, {
    description:
      'rootkey member account: forwards root CreateAccessKey events to the central event bus (StackSet, us-east-1)',
    centralEventBusArn: `arn:${Aws.PARTITION}:events:${config.centralRegion}:${config.centralAccountId}:event-bus/${config.eventBusName}`,
  });
  if (config.nag) applyNagPacks(app);
  return { app, config, central, member };
}
