import { aboutFeature } from './about/about.feature';
import { agenciesFeature } from './agencies/agencies.feature';
import { campaignsFeature } from './campaigns/campaigns.feature';
import { changesFeature } from './changes/changes.feature';
import { deploymentsFeature } from './deployments/deployments.feature';
import { exportFeature } from './export/export.feature';
import type { Feature } from './feature';
import { homeFeature } from './home/home.feature';
import { mapFeature } from './map/map.feature';
import { officialsFeature } from './officials/officials.feature';
import { operatorsFeature } from './operators/operators.feature';
import { placesFeature } from './places/places.feature';
import { reportsFeature } from './reports/reports.feature';
import { watchersFeature } from './watchers/watchers.feature';
import { policiesFeature } from './policies/policies.feature';
import { searchFeature } from './search/search.feature';
import { sourcesFeature } from './sources/sources.feature';
import { statsFeature } from './stats/stats.feature';
import { technologiesFeature } from './technologies/technologies.feature';
import { tilesFeature } from './tiles/tiles.feature';
import { vendorsFeature } from './vendors/vendors.feature';
import { datasetsFeature } from '#src/sync/datasets.feature';

/**
 * Every feature, in the order the app registers them (`app.ts`, after the plumbing). A new feature is one
 * line here. Order matters only for the OpenAPI document, which lists routes as they were registered.
 */
export const FEATURES: readonly Feature[] = [
  homeFeature,
  technologiesFeature,
  deploymentsFeature,
  agenciesFeature,
  placesFeature,
  policiesFeature,
  sourcesFeature,
  vendorsFeature,
  officialsFeature,
  statsFeature,
  exportFeature,
  tilesFeature,
  mapFeature,
  changesFeature,
  datasetsFeature,
  searchFeature,
  aboutFeature,
  campaignsFeature,
  reportsFeature,
  watchersFeature,
  operatorsFeature,
];
