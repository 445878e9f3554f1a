import type { Feature } from '../feature';
import { registerWatchPages } from './watch.page';

/** Watching a place, an agency or a technology in a state: `/watch`, double opt-in, daily digests, unsubscribe. */
export const watchersFeature: Feature = async (app, { db, forms, watchers }) => {
  registerWatchPages(app, db, { ...forms, watchers });
};
