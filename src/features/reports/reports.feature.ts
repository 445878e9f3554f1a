import type { Feature } from '../feature';
import { registerContributePages } from './contribute.page';
import { registerModerationPages } from './moderation.pages';

/** Residents' reports (`/contribute`, double opt-in email) and their moderation queue (`/operator/reports`). */
export const reportsFeature: Feature = async (app, { db, forms, reports, operators }) => {
  registerContributePages(app, db, { ...forms, reports });
  registerModerationPages(app, db, { reports, operators: operators.operators, guard: forms.guard });
};
