/** Where each app's SCIM service is mounted: `/simulator/scim/<app>/v2/Users`, `/Groups`, `/Schemas`, ... */
export const SCIM_SIMULATOR_PATH = '/simulator/scim/:app/v2';

/** The SCIM base URL of an app on the simulator of the service at `origin` (`http://host:port`). */
export const scimSimulatorBaseUrl = (origin: string, app: string): string => `${origin}/simulator/scim/${encodeURIComponent(app)}/v2`;
