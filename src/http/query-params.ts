import { z } from 'zod';
import { findStateByCode } from '#src/domain/states';
import { findTechnologyBySlug, technologyVocabulary } from '#src/domain/technologies';

/** `state=ma` → "MA"; anything but a US state or territory code is a 400 naming the parameter. */
export const stateParam = z
  .string()
  .refine((s) => /^[A-Za-z]{2}$/.test(s) && findStateByCode(s) !== null, {
    message: 'must be a two-letter US state or territory code, e.g. CA',
  })
  .transform((s) => s.toUpperCase());

const knownSlugs = () =>
  technologyVocabulary()
    .technologies.map((t) => t.slug)
    .join(', ');

export const technologyParam = z.string().superRefine((s, ctx) => {
  if (findTechnologyBySlug(s) === null) ctx.addIssue({ code: 'custom', message: `must be one of: ${knownSlugs()}` });
});

/**
 * `technology=ring-neighbors,drones` (or the parameter repeated, as a form of checkboxes sends it) → the
 * slugs; `all` means every technology. Any unknown slug is a 400 naming the parameter.
 */
export const technologyListParam = z.union([z.string(), z.array(z.string())]).transform((given, ctx) => {
  const slugs = [
    ...new Set(
      (Array.isArray(given) ? given : [given])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  if (slugs.includes('all')) return undefined;
  const unknown = slugs.filter((s) => findTechnologyBySlug(s) === null);
  if (unknown.length > 0 || slugs.length === 0) {
    ctx.addIssue({ code: 'custom', message: `must be one or more of: ${knownSlugs()} (comma-separated), or all` });
    return z.NEVER;
  }
  return slugs.sort();
});
