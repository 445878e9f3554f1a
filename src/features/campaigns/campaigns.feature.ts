import type { Feature } from '../feature';
import { registerCampaignPages } from './campaign.page';
import { registerCampaignRoutes } from './campaigns.routes';

/** Campaigns: their API (tallies) and their pages and forms (sign, write, call; double opt-in). */
export const campaignsFeature: Feature = async (app, { db, campaigns }) => {
  registerCampaignRoutes(app, db);
  registerCampaignPages(app, db, campaigns);
};
