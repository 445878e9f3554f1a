import type { Feature } from '../feature';
import { registerExportRoute } from './export.routes';

/** The full dataset as JSON, CSV or GeoJSON, streamed. */
export const exportFeature: Feature = async (app, { db }) => {
  registerExportRoute(app, db);
};
