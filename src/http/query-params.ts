import { z } from 'zod';
import { findStateByCode } from '#src/domain/states';
import { findTechnologyBySlug, TECHNOLOGIES } from '#src/domain/technologies';

/** `state=ma` → "MA"; anything but a US state or territory code is a 400 naming the parameter. */
export const stateParam = z
  .string()
  .refine((s) => /^[A-Za-z]{2}$/.test(s) && findStateByCode(s) !== null, { message: 'must be a two-letter US state or territory code, e.g. CA' })
  .transform((s) => s.toUpperCase());

export const technologyParam = z.string().refine((s) => findTechnologyBySlug(s) !== null, {
  message: `must be one of: ${TECHNOLOGIES.map((t) => t.slug).join(', ')}`,
});
