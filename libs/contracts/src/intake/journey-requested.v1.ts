import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';
import { JourneyDefinitionDocumentSchema } from '../journeys/journey-definition';

export const SubjectSchema = z.object({
  employeeId: z.string().trim().min(1).max(64),
  email: z.email(),
  displayName: z.string().trim().min(1).max(200),
});

const appName = z.string().trim().min(1).max(64).regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes only');
const groupName = z.string().trim().min(1).max(128);

export const AppAccessRequestSchema = z.object({
  app: appName,
  role: z.string().trim().min(1).max(64),
  licence: z.string().trim().min(1).max(64).default('standard'),
});
export type AppAccessRequest = z.infer<typeof AppAccessRequestSchema>;

export const DeviceRequestSchema = z.object({
  model: z.string().trim().min(1).max(100),
});

const requestedBy = z.string().trim().min(1).max(200);
/** The definition version to run by; it must be active. Without it, the type's newest active version. */
const definitionVersion = z.number().int().positive().max(1_000_000).optional();

/** A new-hire onboarding request, as intake accepted it. */
export const NewHireRequestSchema = z.object({
  type: z.literal('new-hire'),
  requestedBy,
  definitionVersion,
  subject: SubjectSchema,
  groups: z.array(groupName).max(50).default([]),
  apps: z.array(AppAccessRequestSchema).min(1).max(20),
  device: DeviceRequestSchema,
});
export type NewHireRequest = z.infer<typeof NewHireRequestSchema>;

/**
 * An access change (a move to another role): the old access is removed and the new one granted.
 * Done only when the old access is read back as gone and the new one as active.
 */
export const AccessChangeRequestSchema = z
  .object({
    type: z.literal('access-change'),
    requestedBy,
    definitionVersion,
    subject: SubjectSchema,
    remove: z.object({ groups: z.array(groupName).max(50).default([]), apps: z.array(appName).max(20).default([]) }).strict(),
    grant: z.object({ groups: z.array(groupName).max(50).default([]), apps: z.array(AppAccessRequestSchema).max(20).default([]) }).strict(),
  })
  .refine((r) => r.remove.groups.length + r.remove.apps.length + r.grant.groups.length + r.grant.apps.length > 0, {
    message: 'an access change must remove or grant at least one group or app',
    path: ['grant'],
  })
  .refine((r) => !r.remove.groups.some((g) => r.grant.groups.includes(g)), { message: 'a group cannot be both removed and granted', path: ['remove', 'groups'] })
  .refine((r) => !r.remove.apps.some((a) => r.grant.apps.some((g) => g.app === a)), { message: 'an app cannot be both removed and granted', path: ['remove', 'apps'] });
export type AccessChangeRequest = z.infer<typeof AccessChangeRequestSchema>;

/**
 * A replacement device for a broken, lost or old one. `itsmRecordId` is the ITSM request (e.g. a
 * ServiceNow RITM number) whose record must end up agreeing with asset management.
 */
export const DeviceReplacementRequestSchema = z.object({
  type: z.literal('device-replacement'),
  requestedBy,
  definitionVersion,
  subject: SubjectSchema,
  itsmRecordId: z.string().trim().min(1).max(64),
  retiredAssetTag: z.string().trim().min(1).max(64),
  reason: z.enum(['broken', 'lost', 'stolen', 'end-of-life', 'upgrade']),
  device: DeviceRequestSchema,
});
export type DeviceReplacementRequest = z.infer<typeof DeviceReplacementRequestSchema>;

/** Seats of a licence type in one SaaS app for the subject; done when the app reports them active. */
export const SaasLicensingRequestSchema = z.object({
  type: z.literal('saas-licensing'),
  requestedBy,
  definitionVersion,
  subject: SubjectSchema,
  app: appName,
  licenceType: z.string().trim().min(1).max(64),
  seats: z.number().int().min(1).max(10000),
});
export type SaasLicensingRequest = z.infer<typeof SaasLicensingRequestSchema>;

/**
 * A leaver: the account disabled and its sessions revoked, its groups removed, the app access
 * revoked and the licences reclaimed, the badge revoked, the devices logged as returned, and then
 * the ITSM record (`itsmRecordId`) closed. `lastDay` is the employee's last working day.
 */
export const OffboardingRequestSchema = z.object({
  type: z.literal('offboarding'),
  requestedBy,
  definitionVersion,
  subject: SubjectSchema,
  lastDay: z.iso.date(),
  itsmRecordId: z.string().trim().min(1).max(64),
});
export type OffboardingRequest = z.infer<typeof OffboardingRequestSchema>;

/** Any journey request intake accepts, by its `type`. */
export const JourneyRequestSchema = z.discriminatedUnion('type', [
  NewHireRequestSchema,
  AccessChangeRequestSchema,
  DeviceReplacementRequestSchema,
  SaasLicensingRequestSchema,
  OffboardingRequestSchema,
]);
export type JourneyRequest = z.infer<typeof JourneyRequestSchema>;

/**
 * Control patterns (DOMAIN.md): `pre-approval` — nothing runs until a person approves;
 * `exception-approval` — runs automatically, a person is asked only when a step fails;
 * `post-attestation` — runs automatically, a reviewer attests afterwards.
 */
export const ControlPatternSchema = z.enum(['pre-approval', 'exception-approval', 'post-attestation']);
export type ControlPattern = z.infer<typeof ControlPatternSchema>;

/** Which policy version and rule decided the journey's control pattern. */
export const PolicyDecisionSchema = z.object({
  policyVersion: z.number().int().positive(),
  rule: z.string().min(1),
  control: ControlPatternSchema,
  approverGroup: z.string().min(1),
});
export type PolicyDecision = z.infer<typeof PolicyDecisionSchema>;

/**
 * The API key a journey was submitted with (an upstream system's), and the admin who created
 * it: separation of duties keeps that admin from deciding on the journey.
 */
export const RequestedViaSchema = z.object({
  apiKeyId: z.string().trim().min(1).max(64),
  apiKeyName: z.string().trim().min(1).max(200),
  createdBy: z.string().trim().min(1).max(200),
});
export type RequestedVia = z.infer<typeof RequestedViaSchema>;

const requestedMeta = {
  definitionVersion: z.number().int().positive(),
  requestedAt: z.iso.datetime({ offset: true }),
  /** Absent on events from before policies existed. */
  policy: PolicyDecisionSchema.optional(),
  /** Present only when the journey was submitted with an API key (not by a person, nor by an upstream consumer). */
  requestedVia: RequestedViaSchema.optional(),
  /**
   * The definition the journey runs by, as intake's registry holds it: every participant reads
   * its steps from here, so a version activated later changes nothing for this journey. Absent
   * on requests from before definitions travelled with them: those run by the shipped version.
   */
  definition: JourneyDefinitionDocumentSchema.optional(),
};

export const JourneyRequestedPayloadSchema = z.discriminatedUnion('type', [
  NewHireRequestSchema.extend(requestedMeta),
  AccessChangeRequestSchema.safeExtend(requestedMeta),
  DeviceReplacementRequestSchema.extend(requestedMeta),
  SaasLicensingRequestSchema.extend(requestedMeta),
  OffboardingRequestSchema.extend(requestedMeta),
]);
export type JourneyRequestedPayload = z.infer<typeof JourneyRequestedPayloadSchema>;
export type RequestedOf<T extends JourneyRequest['type']> = Extract<JourneyRequestedPayload, { type: T }>;

/** Narrows a requested journey to one type. */
export const isRequestOf = <T extends JourneyRequest['type']>(type: T, payload: JourneyRequestedPayload): payload is RequestedOf<T> => payload.type === type;

export const JourneyRequestedV1 = defineEvent('intake.journey.requested.v1', JourneyRequestedPayloadSchema);
export type JourneyRequestedV1 = EventOf<typeof JourneyRequestedV1>;
