import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseScenarioText, type Scenario } from '../functions/adapters/sim/scenario';
import { UsageError } from './io';

/** The sandbox's default scenario, used when `--scenario` is not given. */
export const DEFAULT_SCENARIO_FILE = join(__dirname, '../functions/adapters/sim/scenarios/default.json');

/** Reads and parses `--scenario FILE` (or the default) for `scan` and `runbook`; an unreadable file is a usage error. */
export function readScenarioFile(scenario: string | undefined): Scenario {
  const file = scenario ?? DEFAULT_SCENARIO_FILE;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read scenario file ${file}: ${(error as Error).message}`);
  }
  return parseScenarioText(text, `scenario file ${file}`);
}
