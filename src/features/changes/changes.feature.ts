import type { Feature } from '../feature';
import { registerChangesPage } from './changes.page';
import { registerChangeRoutes } from './changes.routes';

/** The public history of changes: its API, its Atom feeds and its page. */
export const changesFeature: Feature = async (app, { db, publicUrl }) => {
  registerChangeRoutes(app, db, publicUrl);
  registerChangesPage(app, db);
};
