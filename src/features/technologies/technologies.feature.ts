import type { Feature } from '../feature';
import { registerTechnologyRoutes } from './technologies.routes';
import { registerTechnologyPages } from './technology.page';

/** The technologies: their API and their pages. */
export const technologiesFeature: Feature = async (app, { db }) => {
  registerTechnologyRoutes(app, db);
  registerTechnologyPages(app, db);
};
