import { SCIMMY } from 'scimmy-routers';

/**
 * The schema extension for seat licences on a User: `licenceType` and `seats`. Named like the
 * enterprise extension (`urn:ietf:params:scim:schemas:extension:...`), as vendor extensions
 * often are; scimmy accepts only ids under `urn:ietf:params:scim:schemas:`. The connector uses
 * the same id (see the README, Connectors).
 */
export const LICENSING_SCHEMA_ID = 'urn:ietf:params:scim:schemas:extension:closeloop:licensing:2.0:User';

const definition = new SCIMMY.Types.SchemaDefinition('LicensingUser', LICENSING_SCHEMA_ID, 'Seat licences assigned to a User', [
  new SCIMMY.Types.Attribute('string', 'licenceType', { description: 'The licence type (plan, tier) the seats are of.' }),
  new SCIMMY.Types.Attribute('integer', 'seats', { description: 'How many seats of the licence type the User holds.' }),
]);

export class LicensingUserSchema extends SCIMMY.Types.Schema {
  constructor(resource: object, direction = 'both', basepath?: string, filters?: SCIMMY.Types.Filter) {
    super(resource, direction);
    Object.assign(this, definition.coerce(resource, direction, basepath, filters));
  }
}

// scimmy reads a schema's id and definition through static getters (its base class defines
// getters only, so they cannot be assigned as static fields).
Object.defineProperties(LicensingUserSchema, {
  id: { get: () => LICENSING_SCHEMA_ID },
  definition: { get: () => definition },
});
