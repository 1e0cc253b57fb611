import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';

export const REPO_ROOT = join(__dirname, '..', '..');

/**
 * The esbuild options `infra/constructs/task-functions.ts` gives NodejsFunction, read from its
 * `bundling:` block so that a change there changes what the tests bundle (target, minify, names,
 * source maps, externals).
 */
export function infraEsbuildOptions(): {
  target: string;
  minify: boolean;
  keepNames: boolean;
  sourcemap: boolean;
  external: string[];
} {
  const text = readFileSync(join(REPO_ROOT, 'infra', 'constructs', 'task-functions.ts'), 'utf8');
  const block = /bundling:\s*\{([\s\S]*?)\n {4}\}/.exec(text)?.[1] ?? '';
  const target = /target:\s*'(node\d+)'/.exec(block)?.[1];
  const external = /externalModules:\s*\[([^\]]*)\]/.exec(block)?.[1];
  if (!target || !external)
    throw new Error('infra/constructs/task-functions.ts: no bundling target or externals found');
  return {
    target,
    minify: /minify:\s*true/.test(block),
    keepNames: /keepNames:\s*true/.test(block),
    sourcemap: /sourceMap:\s*true/.test(block),
    external: [...external.matchAll(/'([^']+)'/g)].map((m) => m[1]),
  };
}

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
  const options = infraEsbuildOptions();
  const outfile = join(outDir, 'index.js');
  const result = await build({
    entryPoints: [join(REPO_ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: options.target,
    minify: options.minify,
    keepNames: options.keepNames,
    sourcemap: options.sourcemap,
    sourcesContent: false,
    external: options.external,
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
