/** Contacts not verified for this long are flagged as stale wherever they are shown. */
export const STALE_AFTER_DAYS = 365;

/** Whether an official's contact was last verified too long ago (or never) to be relied on without checking. */
export function isStale(verifiedOn: string | null, today = new Date()): boolean {
  if (!verifiedOn) return true;
  return today.getTime() - Date.parse(`${verifiedOn}T00:00:00Z`) > STALE_AFTER_DAYS * 86_400_000;
}
