import { readFileSync } from 'node:fs';

import { type AppAccessRequest, AppAccessRequestSchema, describeIssues } from '@closeloop/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * The mapping table of upstream records to journeys (`apps/intake/upstream/upstream-mappings.yaml`,
 * documented in the README, "Upstream systems"): what access a Workday job profile gives, and
 * which journey a ServiceNow catalogue item starts.
 */
export interface JobProfileAccess {
  readonly title: string;
  readonly groups: readonly string[];
  readonly apps: readonly AppAccessRequest[];
  readonly device: { readonly model: string };
}

export type CatalogueItemMapping = { readonly journey: 'device-replacement'; readonly defaultModel: string } | { readonly journey: 'saas-licensing' };

export interface UpstreamMappings {
  readonly version: number;
  /** By Workday `Job_Profile_ID`. */
  readonly jobProfiles: ReadonlyMap<string, JobProfileAccess>;
  /** By ServiceNow catalogue item name. */
  readonly catalogueItems: ReadonlyMap<string, CatalogueItemMapping>;
}

export const UPSTREAM_MAPPINGS = Symbol('UPSTREAM_MAPPINGS');

const groupName = z.string().trim().min(1).max(128);
const model = z.string().trim().min(1).max(100);

const JobProfileSchema = z
  .object({
    title: z.string().trim().min(1).max(200),
    groups: z.array(groupName).max(50).default([]),
    apps: z.array(AppAccessRequestSchema.strict()).min(1).max(20),
    device: z.object({ model }).strict(),
  })
  .strict()
  .superRefine((profile, ctx) => {
    const seen = new Set<string>();
    profile.apps.forEach((a, i) => {
      if (seen.has(a.app)) ctx.addIssue({ code: 'custom', path: ['apps', i, 'app'], message: `${a.app} is listed twice` });
      seen.add(a.app);
    });
    if (new Set(profile.groups).size !== profile.groups.length) ctx.addIssue({ code: 'custom', path: ['groups'], message: 'a group is listed twice' });
  });

const CatalogueItemSchema = z.discriminatedUnion('journey', [
  z.object({ journey: z.literal('device-replacement'), defaultModel: model }).strict(),
  z.object({ journey: z.literal('saas-licensing') }).strict(),
]);

const MappingsFileSchema = z
  .object({
    version: z.number().int().positive(),
    workday: z.object({ jobProfiles: z.record(z.string().trim().min(1).max(128), JobProfileSchema) }).strict(),
    servicenow: z.object({ catalogueItems: z.record(z.string().trim().min(1).max(200), CatalogueItemSchema) }).strict(),
  })
  .strict();

export class UpstreamMappingsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UpstreamMappingsError';
  }
}

/** Parses and validates the mapping table; the error names the file and every bad entry. */
export const parseUpstreamMappings = (text: string, source: string): UpstreamMappings => {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    throw new UpstreamMappingsError(`${source} is not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  const parsed = MappingsFileSchema.safeParse(document);
  if (!parsed.success) throw new UpstreamMappingsError(`${source}: ${describeIssues(parsed.error)}`);
  return {
    version: parsed.data.version,
    jobProfiles: new Map(Object.entries(parsed.data.workday.jobProfiles)),
    catalogueItems: new Map(Object.entries(parsed.data.servicenow.catalogueItems)),
  };
};

export const loadUpstreamMappings = (path: string): UpstreamMappings => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UpstreamMappingsError(`UPSTREAM_MAPPINGS_FILE ${path} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  return parseUpstreamMappings(text, path);
};
