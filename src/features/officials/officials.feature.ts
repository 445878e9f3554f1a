import type { Feature } from '../feature';
import { registerOfficialPage } from './official.page';
import { registerOfficialRoutes } from './officials.routes';

/** Mayors and council members: their API and their pages. */
export const officialsFeature: Feature = async (app, { db }) => {
  registerOfficialRoutes(app, db);
  registerOfficialPage(app, db);
};
