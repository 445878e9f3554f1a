import type { Feature } from '../feature';
import { registerSearchPage } from './search.page';

/** Search for places (by name or ZIP) and agencies. */
export const searchFeature: Feature = async (app, { db }) => {
  registerSearchPage(app, db);
};
