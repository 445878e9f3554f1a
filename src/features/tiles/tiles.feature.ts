import type { Feature } from '../feature';
import { registerTileRoutes } from './tiles.routes';

/** The map's clustered vector tiles. */
export const tilesFeature: Feature = async (app, { db }) => {
  registerTileRoutes(app, db);
};
