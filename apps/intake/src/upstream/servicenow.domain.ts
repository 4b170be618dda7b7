import {
  describeIssues,
  DeviceReplacementVariablesSchema,
  LicenceRequestVariablesSchema,
  SERVICENOW_REQUEST_ITEMS_TOPIC,
  type ServiceNowRequestItem,
  ServiceNowRequestItemSchema,
} from '@closeloop/contracts';
import type { z } from 'zod';

import { parseRecord, refused, startJourney, type UpstreamDecision } from './upstream.domain';
import type { UpstreamMappings } from './upstream-mappings';

export const SERVICENOW = 'servicenow';

/** A request item starts at most one journey, whichever update of the record arrives first. */
export const servicenowIdempotencyKey = (sysId: string): string => `${SERVICENOW}:${sysId}`;

/** Approval states in which an item is ready for fulfilment (`not requested`: the item needs no approval). */
const FULFILLABLE = new Set<ServiceNowRequestItem['approval']>(['approved', 'not requested', 'not_required']);

const REASONS = { broken: 'broken', lost: 'lost', stolen: 'stolen', end_of_life: 'end-of-life', upgrade: 'upgrade' } as const;

const label = (item: ServiceNowRequestItem) => `ServiceNow ${item.number} (${item.sys_id})`;

const subjectOf = (item: ServiceNowRequestItem) => ({
  employeeId: item.requested_for.employee_number,
  email: item.requested_for.email,
  displayName: item.requested_for.name,
});

const variables = <S extends z.ZodType>(schema: S, item: ServiceNowRequestItem): { ok: true; value: z.infer<S> } | { ok: false; reason: string } => {
  const result = schema.safeParse(item.variables);
  if (result.success) return { ok: true, value: result.data };
  const issues = describeIssues(result.error).replace(/(^|; )/g, '$1variables.');
  return { ok: false, reason: `${label(item)}: the variables of catalogue item "${item.cat_item.name}" are invalid: ${issues}` };
};

/** Maps one message of `itsm.servicenow.request-items.v1` to what intake does with it. */
export const decideRequestItem = (text: string, mappings: UpstreamMappings): UpstreamDecision => {
  const parsed = parseRecord(ServiceNowRequestItemSchema, SERVICENOW_REQUEST_ITEMS_TOPIC, text);
  if (!parsed.ok) return refused(parsed.reason);
  const item = parsed.value;
  const mapping = mappings.catalogueItems.get(item.cat_item.name);
  if (!mapping) {
    return refused(`${label(item)}: catalogue item "${item.cat_item.name}" is not in the catalogue mapping (servicenow.catalogueItems, version ${mappings.version})`);
  }
  if (!FULFILLABLE.has(item.approval)) return refused(`${label(item)}: not ready for fulfilment (approval: ${item.approval})`);
  const key = servicenowIdempotencyKey(item.sys_id);
  switch (mapping.journey) {
    case 'device-replacement': {
      const vars = variables(DeviceReplacementVariablesSchema, item);
      if (!vars.ok) return refused(vars.reason);
      return startJourney(label(item), key, {
        type: 'device-replacement',
        requestedBy: SERVICENOW,
        subject: subjectOf(item),
        itsmRecordId: item.number,
        retiredAssetTag: vars.value.asset_tag,
        reason: REASONS[vars.value.replacement_reason],
        device: { model: vars.value.model ?? mapping.defaultModel },
      });
    }
    case 'saas-licensing': {
      const vars = variables(LicenceRequestVariablesSchema, item);
      if (!vars.ok) return refused(vars.reason);
      return startJourney(label(item), key, {
        type: 'saas-licensing',
        requestedBy: SERVICENOW,
        subject: subjectOf(item),
        app: vars.value.application,
        licenceType: vars.value.licence_type,
        seats: vars.value.seats,
      });
    }
  }
};
