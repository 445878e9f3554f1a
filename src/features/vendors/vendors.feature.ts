import type { Feature } from '../feature';
import { registerVendorPage } from './vendor.page';
import { registerVendorRoutes } from './vendors.routes';

/** Vendors: their API and their pages. */
export const vendorsFeature: Feature = async (app, { db }) => {
  registerVendorRoutes(app, db);
  registerVendorPage(app, db);
};
