import type { RouteSample } from './hostile-requests';
import type { CollectedRoute } from './routes';

/** A valid SCIM user; `id` makes it unique. */
export const scimUser = (id: string) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName: `u-${id.slice(0, 8)}`,
  active: true,
  name: { givenName: 'Scim', familyName: id.slice(0, 8) },
  emails: [{ value: `u-${id.slice(0, 8)}@acme.test`, primary: true }],
});

const route = (method: string, path: string, takesBody: boolean): CollectedRoute => ({
  method,
  path,
  controller: 'ScimSimulatorMount',
  handler: 'scimmy-routers',
  // Not a Nest route: the simulator checks its own bearer token (SAAS_SCIM_SIMULATOR_TOKEN).
  access: { kind: 'public', why: 'the SCIM simulator takes its own bearer token' },
  params: [...path.matchAll(/:(\w+)/g)].map((m) => m[1] as string),
  takesBody,
  takesQuery: !takesBody,
});

/**
 * The SCIM simulator's routes (mounted on Express beside the controllers, so the route collector
 * cannot see them), described by hand with valid samples; `userId` is a user that exists.
 */
export const scimRoutes = (userId: string): Array<{ route: CollectedRoute; sample: RouteSample }> => {
  const params = { app: ['asana', 'slack'], id: [userId] };
  const patch = () => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: false }] });
  const group = (id: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: `g-${id.slice(0, 8)}`, members: [{ value: userId }] });
  return [
    { route: route('POST', '/simulator/scim/:app/v2/Users', true), sample: { body: scimUser, params } },
    { route: route('GET', '/simulator/scim/:app/v2/Users', false), sample: { params } },
    { route: route('GET', '/simulator/scim/:app/v2/Users/:id', false), sample: { params } },
    { route: route('PUT', '/simulator/scim/:app/v2/Users/:id', true), sample: { body: scimUser, params } },
    { route: route('PATCH', '/simulator/scim/:app/v2/Users/:id', true), sample: { body: patch, params } },
    { route: route('POST', '/simulator/scim/:app/v2/Groups', true), sample: { body: group, params } },
  ];
};
