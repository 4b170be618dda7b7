import { z } from 'zod';

/**
 * Requested items (`sc_req_item` records) from the ITSM system (ServiceNow), as the ITSM
 * integration publishes them: one JSON object per request item, with its reference fields
 * dot-walked (`cat_item.name`, `requested_for.email`) and its catalogue variables as ServiceNow
 * stores them (strings). Not Closeloop envelopes. A record may be published again when it is
 * updated; Closeloop acts once per `sys_id`. The message key should be the item's `sys_id`.
 * Unknown fields are ignored.
 */
export const SERVICENOW_REQUEST_ITEMS_TOPIC = 'itsm.servicenow.request-items.v1';

const sysId = z.string().regex(/^[0-9a-f]{32}$/, 'a ServiceNow sys_id: 32 lower-case hex characters');
/** A GlideDateTime as the Table API returns it: `yyyy-MM-dd HH:mm:ss`, in UTC. */
const glideDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/, 'a ServiceNow date-time, yyyy-MM-dd HH:mm:ss (UTC)');

/** The values of the `approval` field of a task. */
export const ServiceNowApprovalSchema = z.enum(['not requested', 'not_required', 'requested', 'approved', 'rejected', 'cancelled', 'duplicate']);

export const ServiceNowRequestItemSchema = z.object({
  /** The record's sys_id: unique and stable for the life of the request item. */
  sys_id: sysId,
  number: z.string().regex(/^RITM\d{7,}$/, 'a request item number: RITM and at least 7 digits'),
  /** The request (REQ) the item belongs to. */
  request: z.object({ sys_id: sysId, number: z.string().regex(/^REQ\d{7,}$/, 'a request number: REQ and at least 7 digits') }),
  /** The catalogue item ordered; its `name` selects the journey (see the catalogue mapping table). */
  cat_item: z.object({ sys_id: sysId, name: z.string().trim().min(1).max(200) }),
  /** The person the item is for (a `sys_user`). */
  requested_for: z.object({
    sys_id: sysId,
    user_name: z.string().trim().min(1).max(100),
    name: z.string().trim().min(1).max(200),
    email: z.email(),
    employee_number: z.string().trim().min(1, 'empty: Closeloop identifies people by their employee number').max(64),
  }),
  approval: ServiceNowApprovalSchema,
  sys_updated_on: glideDateTime,
  /** The catalogue item's variables by name; ServiceNow sends every value as a string ("" when unset). */
  variables: z.record(z.string(), z.string()),
});
export type ServiceNowRequestItem = z.infer<typeof ServiceNowRequestItemSchema>;

/** An empty variable is an unset one. */
const optionalVariable = <S extends z.ZodType>(schema: S) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/** Variables of a device replacement item (e.g. "Laptop Replacement"). */
export const DeviceReplacementVariablesSchema = z.object({
  /** The asset tag of the device being replaced (retired). */
  asset_tag: z.string().trim().min(1).max(64),
  replacement_reason: z.enum(['broken', 'lost', 'stolen', 'end_of_life', 'upgrade']),
  /** The model asked for; the catalogue item's default model when unset. */
  model: optionalVariable(z.string().trim().min(1).max(100)),
});
export type DeviceReplacementVariables = z.infer<typeof DeviceReplacementVariablesSchema>;

/** Variables of a software licence item (e.g. "Software Licence Request"). */
export const LicenceRequestVariablesSchema = z.object({
  /** The application's Closeloop name (the choice values of the variable are those names). */
  application: z.string().trim().min(1).max(64),
  licence_type: z.string().trim().min(1).max(64),
  seats: z
    .string()
    .regex(/^\d{1,5}$/, 'a whole number of seats')
    .transform(Number)
    .pipe(z.number().int().min(1, 'at least one seat').max(10000)),
});
export type LicenceRequestVariables = z.infer<typeof LicenceRequestVariablesSchema>;
