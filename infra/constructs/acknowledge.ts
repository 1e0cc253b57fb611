import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding on one construct (cdk-nag 3 reads CDK's Validations
 * acknowledgements). The reason is a full sentence saying why the finding does not apply or what
 * compensates for it; the id may name a single finding (`AwsSolutions-IAM5[Resource::*]`).
 */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  if (!/^[A-Z].{20,}[.!]$/s.test(reason)) {
    throw new Error(`An acknowledgement of ${id} on ${construct.node.path} needs a full-sentence reason`);
  }
  Validations.of(construct).acknowledge({ id, reason });
}
