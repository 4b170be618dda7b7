import { readTally, type Tally } from './tally';

const sum = <K extends Tally['kind']>(entries: readonly Tally[], kind: K, field: keyof Extract<Tally, { kind: K }>): number =>
  entries.filter((e): e is Extract<Tally, { kind: K }> => e.kind === kind).reduce((total, e) => total + Number(e[field]), 0);

/** The stage's counts over every service (each spec file left its own in the tally). */
export default function globalTeardown(): void {
  const entries = readTally();
  const services = new Set(entries.filter((e) => e.kind === 'routes').map((e) => e.service)).size;
  const lines = [
    `security: ${sum(entries, 'routes', 'routes')} routes, ${sum(entries, 'routes', 'roleChecks')} route×role checks (${services} services; ${sum(entries, 'routes', 'publicRoutes')} public and ${sum(entries, 'routes', 'scrapeRoutes')} scrape routes open; ${sum(entries, 'routes', 'credentialChecks')} credential checks)`,
    `security: ${sum(entries, 'hostile', 'sent')} hostile inputs sent, ${sum(entries, 'hostile', 'fiveXx')} 5xx (${sum(entries, 'hostile', 'routes')} routes; ${sum(entries, 'hostile', 'mustRefuse')} had to be refused with a 4xx, ${sum(entries, 'hostile', 'accepted')} accepted as valid)`,
    `security: ${sum(entries, 'poison', 'sent')} poison events (kinds × consumed topics: ${entries.flatMap((e) => (e.kind === 'poison' ? [`${e.service} ${e.kinds}×${e.topics}`] : [])).join(', ')}), ${sum(entries, 'poison', 'deadLettered')} dead-lettered with a bounded reason`,
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
}
