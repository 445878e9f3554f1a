import type { Feature } from '../feature';
import { registerApiDocsPage } from './api-docs.page';
import { registerHomePage } from './home.page';

/** The home page and the API's documentation page. */
export const homeFeature: Feature = async (app, { db }) => {
  registerHomePage(app, db);
  registerApiDocsPage(app);
};
