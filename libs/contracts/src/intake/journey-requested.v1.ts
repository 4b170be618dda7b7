import { z } from 'zod';

import { defineEvent, type EventOf } from '../envelope';

export const SubjectSchema = z.object({
  employeeId: z.string().trim().min(1).max(64),
  email: z.email(),
  displayName: z.string().trim().min(1).max(200),
});

export const AppAccessRequestSchema = z.object({
  app: z.string().trim().min(1).max(64).regex(/^[a-z0-9-]+$/, 'lower-case letters, digits and dashes only'),
  role: z.string().trim().min(1).max(64),
  licence: z.string().trim().min(1).max(64).default('standard'),
});

export const DeviceRequestSchema = z.object({
  model: z.string().trim().min(1).max(100),
});

/** A new-hire onboarding request, as intake accepted it. */
export const NewHireRequestSchema = z.object({
  type: z.literal('new-hire'),
  requestedBy: z.string().trim().min(1).max(200),
  subject: SubjectSchema,
  groups: z.array(z.string().trim().min(1).max(128)).max(50).default([]),
  apps: z.array(AppAccessRequestSchema).min(1).max(20),
  device: DeviceRequestSchema,
});
export type NewHireRequest = z.infer<typeof NewHireRequestSchema>;

export const JourneyRequestedPayloadSchema = NewHireRequestSchema.extend({
  definitionVersion: z.number().int().positive(),
  requestedAt: z.iso.datetime({ offset: true }),
});

export const JourneyRequestedV1 = defineEvent('intake.journey.requested.v1', JourneyRequestedPayloadSchema);
export type JourneyRequestedV1 = EventOf<typeof JourneyRequestedV1>;
