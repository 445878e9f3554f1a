import { parseAgencyName } from '#src/domain/agencies';
import { findStateByCode } from '#src/domain/states';
import type { AgencyClaim } from './agency-resolution';
import { originItem, upsertLinks, writeOrigins } from './evidence.writes';
import type { BatchContext } from './import-kind';
import type { AgencyRef } from './resolver';

/** Writes agencies first seen in this batch (as part of rows about their deployments), with their origins. */
export async function writeNewAgencies(
  ctx: BatchContext,
  created: ReadonlyArray<{ claim: AgencyClaim; agency: AgencyRef }>,
): Promise<void> {
  await ctx.writer.upsert(
    'agencies',
    created.map(({ claim, agency }) => ({ row: claim.row, values: { ...agency } })),
    { entity: 'agency', createOnly: true, secondary: true },
  );
  await writeOrigins(
    ctx,
    created.map(({ claim, agency }) => originItem(ctx, claim.row, claim.line, claim.rowKey, 'agency', agency.id)),
  );
}

/**
 * Records the spellings an agency is known by, so that later rows and imports find it. An agency whose
 * place is in doubt gets none: no other row is matched to it by name.
 */
export async function writeAgencyAliases(
  ctx: BatchContext,
  aliases: ReadonlyArray<{
    row: number;
    agency: Pick<AgencyRef, 'id' | 'state_code' | 'placement_issue'>;
    name: string;
  }>,
): Promise<void> {
  const items = new Map<string, { row: number; values: Record<string, unknown> }>();
  for (const { row, agency, name } of aliases) {
    if (agency.placement_issue !== null) continue;
    for (const key of parseAgencyName(name, findStateByCode(agency.state_code)?.name).keys) {
      items.set(`${agency.id}|${key}`, {
        row,
        values: { agency_id: agency.id, state_code: agency.state_code, name_key: key },
      });
    }
  }
  await upsertLinks(ctx, 'agency_aliases', [...items.values()], ['agency_id', 'name_key'], 'agency_alias');
}
