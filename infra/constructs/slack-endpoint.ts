import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';

export interface SlackEndpointProps {
  /** The Bolt app's Lambda (`slack-app/lambda-handler.ts`). */
  handler: lambda.IFunction;
  rateLimit: number;
  burstLimit: number;
  encryptionKey: kms.IKey;
  logRetention: logs.RetentionDays;
  /**
   * Whether to create and register API Gateway's CloudWatch Logs role for the account (an
   * account-wide setting). Only when the deployer asks for it (`rootkey:apiGatewayCloudWatchRole`).
   */
  setAccountCloudWatchRole: boolean;
}

/**
 * `POST /slack/events` (Bolt's default path) on a regional REST API: events, interactivity and the
 * slash command all arrive here. Stage throttling caps what a flood can cost; requests without
 * Slack's signature headers are refused by API Gateway before the function runs, and Bolt verifies
 * the signature itself. Access logs go to an encrypted, retained log group.
 */
export class SlackEndpoint extends Construct {
  readonly api: apigw.RestApi;

  constructor(scope: Construct, id: string, props: SlackEndpointProps) {
    super(scope, id);
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.encryptionKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.api = new apigw.RestApi(this, 'Api', {
      description: 'rootkey: Slack events, interactivity and the /rootkey command',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      // Account-wide: replaces the CloudWatch role of every API Gateway API in this account and Region.
      cloudWatchRole: props.setAccountCloudWatchRole,
      ...(props.setAccountCloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      deployOptions: {
        stageName: 'prod',
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: true,
      },
    });
    const validator = new apigw.RequestValidator(this, 'SlackHeaders', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    this.api.root
      .addResource('slack')
      .addResource('events')
      .addMethod('POST', new apigw.LambdaIntegration(props.handler), {
        requestValidator: validator,
        requestParameters: {
          'method.request.header.X-Slack-Signature': true,
          'method.request.header.X-Slack-Request-Timestamp': true,
        },
      });

    acknowledge(
      this.api,
      'AwsSolutions-APIG2',
      'The validator requires the Slack signature headers; the body is form-encoded or JSON depending on the Slack feature, so no single model fits it, and Bolt parses and signature-checks it before use.',
    );
    const slackSigns =
      'Slack cannot present AWS credentials or a Cognito token; every request is authenticated by its Slack signature (HMAC-SHA256 with the signing secret), which Bolt verifies before any listener runs.';
    acknowledge(this.api, 'AwsSolutions-APIG4', slackSigns);
    acknowledge(this.api, 'AwsSolutions-COG4', slackSigns);
    acknowledge(
      this.api,
      'AwsSolutions-APIG3',
      'Slack requests come from changing addresses, so an IP-based web ACL cannot help; stage throttling and signature checks protect the endpoint.',
    );
    acknowledge(
      this.api,
      'PCI.DSS.321-APIGWAssociatedWithWAF',
      'Slack requests come from changing addresses, so an IP-based web ACL cannot help; stage throttling and signature checks protect the endpoint.',
    );
    acknowledge(
      this.api,
      'PCI.DSS.321-APIGWCacheEnabledAndEncrypted',
      'Every request is a signed, unique Slack interaction; caching responses would replay decisions, so the stage has no cache.',
    );
    acknowledge(
      this.api,
      'PCI.DSS.321-APIGWSSLEnabled',
      'The integration is a Lambda proxy, not an HTTP backend, so there is no backend connection to authenticate with a client certificate.',
    );
    acknowledge(
      this.api,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'API Gateway needs this account-level role to write the access and execution logs; AWS manages the policy for exactly that purpose.',
    );
  }
}
