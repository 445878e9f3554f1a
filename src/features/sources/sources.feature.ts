import type { Feature } from '../feature';
import { registerSourcePage } from './source.page';
import { registerSourceRoutes } from './sources.routes';

/** The documents cited as evidence: their API and their pages. */
export const sourcesFeature: Feature = async (app, { db }) => {
  registerSourceRoutes(app, db);
  registerSourcePage(app, db);
};
