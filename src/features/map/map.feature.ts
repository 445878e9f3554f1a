import type { Feature } from '../feature';
import { registerAreaRoutes } from './areas.routes';
import { registerMapPage } from './map.page';
import { registerTownRoutes } from './towns.routes';

/** The map page, the counts that shade its states and counties, and its town labels. */
export const mapFeature: Feature = async (app, { db }) => {
  registerAreaRoutes(app, db);
  registerTownRoutes(app, db);
  registerMapPage(app, db);
};
