import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { ConcurrentUpdateError, RootKeyError, TransientAwsError } from '../../../functions/core/errors';
import { BUNDLING, ESBUILD_OPTIONS, REPO_ROOT } from '../../../infra/constructs/task-functions';
import { allStates } from '../../../local-runner/local-workflow';
import { extractStateMachines } from '../../../local-runner/definition-extraction';
import { synthesizeApp } from '../../support/infra/synth';
import { testWorkflowDefinitions } from '../../support/workflow/definitions';

/**
 * What Step Functions sees when a bundled task throws. The Node.js runtime reports a thrown error's
 * `name` as the invocation's `errorType`, and a Retry or Catch matches when "the name property of
 * the Error object" equals its `ErrorEquals` value (AWS Lambda Developer Guide, "AWS Lambda
 * function errors in Node.js"; Step Functions Developer Guide, "Handling errors"). A minifier
 * renames classes, so a name taken from the class (`new.target.name`) arrives as `l` or `Fr`.
 *
 * The errors module is bundled here with the very options infra gives `NodejsFunction`, each error
 * the definitions name is thrown from that bundle, and the name Lambda would report is compared
 * with the synthesized Retry and Catch.
 */
type ErrorModule = Record<string, unknown>;

let bundled: ErrorModule;
let outdir: string;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'rootkey-error-bundle-'));
  esbuild.buildSync({
    ...ESBUILD_OPTIONS,
    external: [...ESBUILD_OPTIONS.external],
    absWorkingDir: REPO_ROOT,
    entryPoints: [path.join(REPO_ROOT, 'functions', 'core', 'errors.ts')],
    outfile: path.join(outdir, 'errors.js'),
    logLevel: 'silent',
  });
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a bundle written at test time.
  bundled = require(path.join(outdir, 'errors.js')) as ErrorModule;
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Every error name the synthesized workflows (remediation, sweep, Prevention) retry or catch, except the services' own (`States.*`, `Lambda.*`, `Scheduler.*`, …). */
function projectErrorNames(): string[] {
  const definitions = testWorkflowDefinitions();
  const prevention = extractStateMachines(synthesizeApp().centralTemplate.toJSON() as never).find(
    (m) => m.workflow === 'prevention',
  );
  if (!prevention) throw new Error('The central template has no Prevention state machine');
  const names = new Set<string>();
  for (const definition of [definitions.remediation.definition, definitions.sweep.definition, prevention.definition]) {
    for (const [, state] of allStates(definition)) {
      for (const rule of [...((state['Retry'] ?? []) as object[]), ...((state['Catch'] ?? []) as object[])]) {
        for (const name of (rule as { ErrorEquals: string[] }).ErrorEquals) names.add(name);
      }
    }
  }
  return [...names].filter((name) => !name.includes('.')).sort();
}

/** The `errorType` the Lambda Node.js runtime reports for a thrown value. */
function lambdaErrorType(thrown: unknown): string {
  return thrown instanceof Error ? thrown.name : 'Error';
}

/** Constructor arguments of the errors whose constructors take more than a message. */
const ARGUMENTS: Record<string, unknown[]> = {
  KeysChangedError: [['AKIAEXAMPLEAPPROVED1'], ['AKIAEXAMPLECURRENT01']],
  ConcurrentUpdateError: ['RK-1'],
  CaseNotFoundError: ['RK-1'],
  CaseAlreadyOpenError: ['333333333333', 'RK-1'],
  AccessDeniedError: ['iam:ListAccessKeys', 'account 333333333333'],
};

/** Throws an instance of the bundle's class `name` and returns what was thrown. */
function throwFromBundle(name: string): unknown {
  const ErrorClass = bundled[name] as new (...args: unknown[]) => Error;
  expect(typeof ErrorClass).toBe('function');
  try {
    throw new ErrorClass(...(ARGUMENTS[name] ?? ['a message from the bundle']));
  } catch (error) {
    return error;
  }
}

describe('error names in the bundles', () => {
  it('bundles with minification and kept names', () => {
    expect(BUNDLING).toMatchObject({ minify: true, keepNames: true });
    expect(ESBUILD_OPTIONS).toMatchObject({ minify: true, keepNames: true, bundle: true, platform: 'node' });
  });

  it('finds the retried and caught project errors in the synthesized definitions', () => {
    expect(projectErrorNames()).toEqual(
      expect.arrayContaining([
        'ConcurrentUpdateError',
        'EvidenceConflictError',
        'KeysChangedError',
        'RootAccessUnavailableError',
        'TransientAwsError',
      ]),
    );
  });

  it('reports each retried or caught error thrown from the bundle under the name the state machine matches', () => {
    for (const name of projectErrorNames()) {
      expect({ name, errorType: lambdaErrorType(throwFromBundle(name)) }).toEqual({ name, errorType: name });
    }
  });

  it('keeps every error class name, so that copies of the module recognise each other', () => {
    for (const [exported, value] of Object.entries(bundled)) {
      if (typeof value !== 'function' || !/Error$/.test(exported)) continue;
      expect((value as { name: string }).name).toBe(exported);
    }
  });

  it('recognises an error of the bundle as the same error of the source, and the other way round', () => {
    // The local runner binds bundled services to adapters loaded from source; in AWS both are one copy.
    const fromBundle = throwFromBundle('ConcurrentUpdateError');
    expect(fromBundle instanceof ConcurrentUpdateError).toBe(true);
    expect(fromBundle instanceof RootKeyError).toBe(true);
    expect(fromBundle instanceof TransientAwsError).toBe(false);
    const BundledConcurrentUpdate = bundled['ConcurrentUpdateError'] as new (caseId: string) => Error;
    expect(new ConcurrentUpdateError('RK-1') instanceof BundledConcurrentUpdate).toBe(true);
    // A look-alike that is not a rootkey error stays a plain error.
    const lookAlike = Object.assign(new Error('x'), { name: 'ConcurrentUpdateError' });
    expect(lookAlike instanceof ConcurrentUpdateError).toBe(false);
  });
});
