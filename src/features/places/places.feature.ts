import type { Feature } from '../feature';
import { registerPlacePage } from './place.page';
import { registerPlaceRoutes } from './places.routes';

/** States, counties and towns: their API and their pages. */
export const placesFeature: Feature = async (app, { db }) => {
  registerPlaceRoutes(app, db);
  registerPlacePage(app, db);
};
