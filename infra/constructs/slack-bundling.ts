/**
 * esbuild aliases of the Slack Lambda function (issue #18): Bolt's `App` module loads the HTTP and
 * Socket Mode receivers, whose packages the function never runs. Aliased to a module whose exports
 * throw if reached, they drop undici and iconv-lite (~1 MB) from the bundle. Paths are relative to
 * the repository root, where esbuild runs (the NodejsFunction `projectRoot`).
 */
export const SLACK_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@slack/socket-mode': './slack-app/lambda-bundle/unavailable-in-lambda.ts',
  '@slack/oauth': './slack-app/lambda-bundle/unavailable-in-lambda.ts',
  'raw-body': './slack-app/lambda-bundle/unavailable-in-lambda.ts',
};

/** The aliases as NodejsFunction `esbuildArgs` (CDK turns each entry into `--alias:from=to`). */
export function aliasEsbuildArgs(aliases: Readonly<Record<string, string>>): { '--alias': string[] } {
  return { '--alias': Object.entries(aliases).map(([from, to]) => `${from}=${to}`) };
}
