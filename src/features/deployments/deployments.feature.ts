import type { Feature } from '../feature';
import { registerDeploymentPage } from './deployment.page';
import { registerDeploymentListPage } from './deployments-list.page';
import { registerDeploymentRoutes } from './deployments.routes';

/** Deployments: the API's list and records, the browsable list (the map's twin) and each deployment's page. */
export const deploymentsFeature: Feature = async (app, { db, deployments }) => {
  registerDeploymentRoutes(app, db, deployments);
  registerDeploymentListPage(app, db);
  registerDeploymentPage(app, db);
};
