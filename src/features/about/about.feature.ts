import type { Feature } from '../feature';
import { registerAboutPage } from './about.page';

/** What the data is, where it comes from, its dates and its limits. */
export const aboutFeature: Feature = async (app, { db }) => {
  registerAboutPage(app, db);
};
