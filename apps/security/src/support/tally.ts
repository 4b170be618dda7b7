import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the spec files leave their counts for the stage's summary (global teardown); .run/ is not committed. */
export const TALLY_FILE = join(__dirname, '../../../../.run/security/tally.jsonl');

export type Tally =
  | { readonly kind: 'routes'; readonly service: string; readonly routes: number; readonly publicRoutes: number; readonly scrapeRoutes: number; readonly roleChecks: number; readonly credentialChecks: number }
  | { readonly kind: 'hostile'; readonly service: string; readonly routes: number; readonly sent: number; readonly mustRefuse: number; readonly fiveXx: number; readonly accepted: number }
  | { readonly kind: 'poison'; readonly service: string; readonly topics: number; readonly kinds: number; readonly sent: number; readonly deadLettered: number };

export const resetTally = (): void => {
  mkdirSync(dirname(TALLY_FILE), { recursive: true });
  writeFileSync(TALLY_FILE, '');
};

/** Records a count and prints it as one line (jest leaves process.stdout alone). */
export const tally = (entry: Tally, line: string): void => {
  mkdirSync(dirname(TALLY_FILE), { recursive: true });
  appendFileSync(TALLY_FILE, `${JSON.stringify(entry)}\n`);
  process.stdout.write(`security: ${entry.service}: ${line}\n`);
};

export const readTally = (): Tally[] =>
  existsSync(TALLY_FILE)
    ? readFileSync(TALLY_FILE, 'utf8')
        .split('\n')
        .filter((line) => line.trim().length > 0)
        .map((line) => JSON.parse(line) as Tally)
    : [];
