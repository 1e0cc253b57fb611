import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { ESBUILD_OPTIONS } from '../../infra/constructs/task-functions';

export const REPO_ROOT = join(__dirname, '..', '..');

export interface LambdaBundle {
  outfile: string;
  /** Size of index.js (without its source map), as Lambda loads it. */
  bytes: number;
  /** Packages (node_modules) whose code is in the bundle. */
  packages: Set<string>;
  /** External packages the bundle requires at run time (the SDK from the Lambda runtime). */
  externals: string[];
}

/** Bundles one Lambda entry as CDK's NodejsFunction does, into `outDir/index.js`. */
export async function bundleLambda(
  entry: string,
  outDir: string,
  aliases: Readonly<Record<string, string>> = {},
): Promise<LambdaBundle> {
  const outfile = join(outDir, 'index.js');
  // Exactly the options infra gives NodejsFunction (target, minify, keepNames, source maps, externals).
  const result = await build({
    ...ESBUILD_OPTIONS,
    external: [...ESBUILD_OPTIONS.external],
    entryPoints: [join(REPO_ROOT, entry)],
    alias: { ...aliases },
    outfile,
    absWorkingDir: REPO_ROOT,
    metafile: true,
    logLevel: 'silent',
  });
  return describeBundle(result.metafile, outfile);
}

function describeBundle(metafile: Metafile, outfile: string): LambdaBundle {
  const [, output] = Object.entries(metafile.outputs).find(([path]) => path.endsWith('index.js'))!;
  const packages = new Set<string>();
  for (const input of Object.keys(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    if (match) packages.add(match[1]);
  }
  const externals = [...new Set(output.imports.filter((i) => i.external).map((i) => i.path))]
    .filter((path) => !path.startsWith('node:') && !/^[a-z_]+$/.test(path))
    .sort();
  return { outfile, bytes: output.bytes, packages, externals };
}
