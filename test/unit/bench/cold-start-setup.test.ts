import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discoverEntries, infraBundlingOptions } from '../../../bench/cold-start/cold-start';
import { memoryByTask } from '../../../bench/cost/function-memory';

let repo: string;

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'rootkey-bench-test-'));
  mkdirSync(join(repo, 'functions', 'handlers'), { recursive: true });
  mkdirSync(join(repo, 'slack-app'), { recursive: true });
  mkdirSync(join(repo, 'infra', 'constructs'), { recursive: true });
});

afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('the cold-start benchmark setup', () => {
  it('takes every handler file that exports handler, and the Slack entry', () => {
    // Prepare
    writeFileSync(join(repo, 'functions', 'handlers', 'open-case.ts'), 'export const handler = lambdaHandler();');
    writeFileSync(join(repo, 'functions', 'handlers', 'env.ts'), 'export function requireEnv() {}');
    writeFileSync(join(repo, 'functions', 'handlers', 'b.ts'), 'export async function handler() {}');
    writeFileSync(join(repo, 'slack-app', 'lambda-handler.ts'), 'export async function handler(event, context) {}');

    // Act
    const entries = discoverEntries(repo);

    // Assess
    expect(entries.map((e) => e.name)).toEqual(['b', 'open-case', 'slack-app']);
  });

  it('reads the bundling options from the infrastructure code', () => {
    writeFileSync(
      join(repo, 'infra', 'constructs', 'task-functions.ts'),
      "bundling: { minify: true, sourceMap: true, target: 'node24', externalModules: ['@aws-sdk/*', 'pg-native'] }",
    );

    const options = infraBundlingOptions(repo);

    expect(options).toMatchObject({
      target: 'node24',
      minify: true,
      sourcemap: true,
      external: ['@aws-sdk/*', 'pg-native'],
    });
  });

  it('reads keepNames and the functions’ NODE_OPTIONS (the source-map flag) when infra sets them', () => {
    writeFileSync(
      join(repo, 'infra', 'constructs', 'task-functions.ts'),
      "NODE_OPTIONS: '--enable-source-maps', bundling: { minify: true, keepNames: true, target: 'node24', externalModules: ['@aws-sdk/*'] }",
    );

    expect(infraBundlingOptions(repo)).toMatchObject({ keepNames: true, nodeOptions: '--enable-source-maps' });
  });

  it('falls back to the issue’s node22 and @aws-sdk external without infra/', () => {
    rmSync(join(repo, 'infra'), { recursive: true });

    expect(infraBundlingOptions(repo)).toMatchObject({ target: 'node22', external: ['@aws-sdk/*'] });
  });

  it('reads each task function’s memory from a synthesized template', () => {
    const template = {
      Resources: {
        A: {
          Type: 'AWS::Lambda::Function',
          Properties: { MemorySize: 1024, Environment: { Variables: { ROOTKEY_TASK: 'delete-keys' } } },
        },
        B: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { ROOTKEY_TASK: 'open-case' } } } },
        C: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 256 } },
        D: { Type: 'AWS::S3::Bucket', Properties: {} },
      },
    };

    expect(memoryByTask(template)).toEqual({ 'delete-keys': 1024, 'open-case': 128 });
  });
});
