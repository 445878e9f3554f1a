import type { Feature } from '../feature';
import { registerOperatorPages } from './operator.pages';

/** Operators' sign-in and pages (campaigns, roster, outbox, exports). */
export const operatorsFeature: Feature = async (app, { db, operators }) => {
  registerOperatorPages(app, db, operators);
};
