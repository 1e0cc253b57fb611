/**
 * Bundle-time replacement for three packages that Bolt's `App` module loads for receivers the
 * Lambda function never builds (issue #18): `@slack/socket-mode` (Socket Mode, with undici, ~550 kB),
 * `raw-body` (the HTTP receiver's body reader, with iconv-lite, ~490 kB) and `@slack/oauth` (the
 * OAuth installer of the HTTP and Socket Mode receivers). The Slack function's bundling aliases them
 * to this module (`infra/constructs/slack-bundling.ts`); everywhere else the real packages load.
 * `AwsLambdaReceiver` reads the request from the API Gateway event and needs none of them. Reaching
 * any export here means a code path that cannot work in Lambda: it fails loudly, naming itself.
 */
class UnavailableInLambdaError extends Error {
  constructor(what: string) {
    super(`${what} is not bundled into the Slack Lambda function: only AwsLambdaReceiver runs there`);
    this.name = 'UnavailableInLambdaError';
  }
}

/** `@slack/socket-mode` */
export class SocketModeClient {
  constructor() {
    throw new UnavailableInLambdaError('Socket Mode (@slack/socket-mode)');
  }
}

/** `@slack/oauth` */
export class InstallProvider {
  constructor() {
    throw new UnavailableInLambdaError('The OAuth installer (@slack/oauth)');
  }
}

/** `raw-body` (its default export). */
export default function rawBody(): never {
  throw new UnavailableInLambdaError('The HTTP receiver body reader (raw-body)');
}
