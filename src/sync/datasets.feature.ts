import type { Feature } from '#src/features/feature';
import { registerDatasetRoutes } from './datasets.routes';

/** The sources behind the data: /api/v1/datasets. */
export const datasetsFeature: Feature = async (app, { db }) => {
  registerDatasetRoutes(app, db);
};
