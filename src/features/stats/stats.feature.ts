import type { Feature } from '../feature';
import { registerStatsRoutes } from './stats.routes';

/** Counts of the whole dataset. */
export const statsFeature: Feature = async (app, { db }) => {
  registerStatsRoutes(app, db);
};
