import {
  type AppAccessRequest,
  WORKDAY_WORKER_EVENTS_TOPIC,
  type WorkdayWorker,
  type WorkdayWorkerEvent,
  WorkdayWorkerEventSchema,
  type WorkdayWorkerHired,
  type WorkdayWorkerRoleChanged,
} from '@closeloop/contracts';

import { parseRecord, refused, startJourney, type UpstreamDecision } from './upstream.domain';
import type { JobProfileAccess, UpstreamMappings } from './upstream-mappings';

export const WORKDAY = 'workday';

/** Journeys started by one Workday event share its key: a redelivered event starts nothing new. */
export const workdayIdempotencyKey = (eventId: string): string => `${WORKDAY}:${eventId}`;

const label = (event: WorkdayWorkerEvent) => `Workday ${event.eventType} ${event.eventId}`;

const subjectOf = (worker: WorkdayWorker) => ({
  employeeId: worker.workerId,
  email: worker.email,
  displayName: worker.name.preferredName ?? `${worker.name.firstName} ${worker.name.lastName}`,
});

const profileOf = (
  mappings: UpstreamMappings,
  event: WorkdayWorkerEvent,
  field: 'worker.position' | 'previousPosition',
  jobProfile: { id: string; descriptor: string },
): JobProfileAccess | string =>
  mappings.jobProfiles.get(jobProfile.id) ??
  `${label(event)}: ${field}.jobProfile.id ${jobProfile.id} (${jobProfile.descriptor}) is not in the job-profile mapping (workday.jobProfiles, version ${mappings.version})`;

/** Worker_Hired → new-hire: the groups, apps and device of the worker's job profile. */
const hire = (event: WorkdayWorkerHired, mappings: UpstreamMappings): UpstreamDecision => {
  const profile = profileOf(mappings, event, 'worker.position', event.worker.position.jobProfile);
  if (typeof profile === 'string') return refused(profile);
  return startJourney(label(event), workdayIdempotencyKey(event.eventId), {
    type: 'new-hire',
    requestedBy: WORKDAY,
    subject: subjectOf(event.worker),
    groups: [...profile.groups],
    apps: profile.apps.map((a) => ({ ...a })),
    device: { ...profile.device },
  });
};

const sameGrant = (a: AppAccessRequest, b: AppAccessRequest) => a.role === b.role && a.licence === b.licence;

/**
 * The access to remove and to grant when a worker moves from one job profile to another: what
 * the old profile gave and the new one does not is removed; what the new one gives and the old
 * did not is granted. An app both profiles give with another role or licence is granted again
 * with the new one (not removed: its data stay).
 */
export const accessDifference = (from: JobProfileAccess, to: JobProfileAccess) => {
  const toApps = new Map(to.apps.map((a) => [a.app, a]));
  const fromApps = new Map(from.apps.map((a) => [a.app, a]));
  return {
    remove: { groups: from.groups.filter((g) => !to.groups.includes(g)), apps: from.apps.filter((a) => !toApps.has(a.app)).map((a) => a.app) },
    grant: {
      groups: to.groups.filter((g) => !from.groups.includes(g)),
      apps: to.apps.filter((a) => !fromApps.has(a.app) || !sameGrant(fromApps.get(a.app) as AppAccessRequest, a)).map((a) => ({ ...a })),
    },
  };
};

/** Worker_Role_Changed → access-change: the difference between the old and the new job profile. */
const roleChange = (event: WorkdayWorkerRoleChanged, mappings: UpstreamMappings): UpstreamDecision => {
  const before = profileOf(mappings, event, 'previousPosition', event.previousPosition.jobProfile);
  if (typeof before === 'string') return refused(before);
  const after = profileOf(mappings, event, 'worker.position', event.worker.position.jobProfile);
  if (typeof after === 'string') return refused(after);
  const { remove, grant } = accessDifference(before, after);
  if (remove.groups.length + remove.apps.length + grant.groups.length + grant.apps.length === 0) {
    const from = event.previousPosition.jobProfile.id;
    const to = event.worker.position.jobProfile.id;
    const reason = from === to ? `the job profile stays ${to}` : `job profiles ${from} and ${to} give the same access`;
    return { kind: 'nothing-to-do', record: label(event), reason };
  }
  return startJourney(label(event), workdayIdempotencyKey(event.eventId), {
    type: 'access-change',
    requestedBy: WORKDAY,
    subject: subjectOf(event.worker),
    remove,
    grant,
  });
};

/** Maps one message of `hr.workday.worker-events.v1` to what intake does with it. */
export const decideWorkdayEvent = (text: string, mappings: UpstreamMappings): UpstreamDecision => {
  const parsed = parseRecord(WorkdayWorkerEventSchema, WORKDAY_WORKER_EVENTS_TOPIC, text);
  if (!parsed.ok) return refused(parsed.reason);
  const event = parsed.value;
  switch (event.eventType) {
    case 'Worker_Hired':
      return hire(event, mappings);
    case 'Worker_Role_Changed':
      return roleChange(event, mappings);
  }
};
