import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './io';

/**
 * `util.parseArgs` in strict mode, with its errors turned into UsageError (exit 2) and its
 * wording kept: "Unknown option '--acount'" is what a user needs to see.
 */
export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
