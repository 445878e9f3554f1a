import type { Feature } from '../feature';
import { registerAgencyRoutes } from './agencies.routes';
import { registerAgencyPage } from './agency.page';

/** Agencies: their API and their pages. */
export const agenciesFeature: Feature = async (app, { db }) => {
  registerAgencyRoutes(app, db);
  registerAgencyPage(app, db);
};
