import type { Feature } from '../feature';
import { registerPolicyRoutes } from './policies.routes';
import { registerPolicyPages } from './policy.page';

/** Bans, moratoria and oversight laws: their API and their pages. */
export const policiesFeature: Feature = async (app, { db }) => {
  registerPolicyRoutes(app, db);
  registerPolicyPages(app, db);
};
