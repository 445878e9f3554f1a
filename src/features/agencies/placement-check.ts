import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { distanceKm, PLACEMENT_TOLERANCE_KM } from '#src/domain/placement';
import { countyLookup } from '#src/geo/county-lookup';

export interface PlacementFinding {
  readonly agency: string;
  readonly name: string;
  readonly state: string;
  readonly problem: string;
  readonly deployments: number;
}

export interface PlacementShare {
  /** Agencies of this level with a point and a reference point to check it against. */
  readonly checked: number;
  /** Of those, how many are drawn more than PLACEMENT_TOLERANCE_KM from it. */
  readonly far: number;
  /** far / checked (0 when nothing is checked). */
  readonly share: number;
  /** The same, counting deployments rather than agencies. */
  readonly deploymentsChecked: number;
  readonly deploymentsFar: number;
}

export interface PlacementReport {
  readonly toleranceKm: number;
  readonly agencies: number;
  readonly placed: number;
  /** City and town agencies against their town's point. */
  readonly cityAgencies: PlacementShare;
  /** County agencies (sheriffs, county police) against their county's internal point. */
  readonly countyAgencies: PlacementShare;
  /** Agencies whose point is not in any county they serve, or whose town is not in their counties. */
  readonly disagreements: readonly PlacementFinding[];
  /**
   * City and town agencies whose town's point lies outside the town's own county (the places list gave some
   * towns a namesake's point): not checked against that point, and drawn at the FBI's or the county's.
   */
  readonly townPointInDoubt: readonly PlacementFinding[];
  /** Agencies left unplaced because their source row contradicts its state. */
  readonly inDoubt: readonly PlacementFinding[];
}

/**
 * Checks every placed agency against its place and county: how far city and town agencies are drawn
 * from their town's point and county agencies from their county's internal point; which agencies' points
 * fall outside every county they serve (by the Census county outlines) or whose town lies outside their
 * counties; and which were left unplaced because their row contradicts its state.
 */
export async function checkPlacement(db: Kysely<Database>): Promise<PlacementReport> {
  const rows = await db
    .selectFrom('agencies as a')
    .leftJoin('places as p', 'p.id', 'a.place_id')
    .select([
      'a.id',
      'a.name',
      'a.state_code',
      'a.level',
      'a.lat',
      'a.lon',
      'a.county_geoids',
      'a.placement_issue',
      'a.location_basis',
      'p.kind as place_kind',
      'p.lat as place_lat',
      'p.lon as place_lon',
      'p.county_geoid as place_county',
      (eb) =>
        eb
          .selectFrom('deployments as d')
          .select((x) => x.fn.countAll().as('n'))
          .whereRef('d.agency_id', '=', 'a.id')
          .as('deployments'),
    ])
    .orderBy('a.id')
    .execute();
  const lookup = countyLookup();
  const share = () => ({ checked: 0, far: 0, deploymentsChecked: 0, deploymentsFar: 0 });
  const city = share();
  const county = share();
  const disagreements: PlacementFinding[] = [];
  const inDoubt: PlacementFinding[] = [];
  const townPointInDoubt: PlacementFinding[] = [];
  let placed = 0;
  for (const r of rows) {
    const deployments = Number(r.deployments ?? 0);
    const finding = (problem: string) => ({ agency: r.id, name: r.name, state: r.state_code, problem, deployments });
    if (r.placement_issue) inDoubt.push(finding(r.placement_issue));
    if (r.lat === null || r.lon === null) continue;
    placed++;
    const lat = Number(r.lat);
    const lon = Number(r.lon);
    const counties = r.county_geoids ? r.county_geoids.split(',') : [];
    const townAt =
      r.place_kind === 'city' && r.place_lat !== null && r.place_lon !== null
        ? lookup.countyAt(Number(r.place_lat), Number(r.place_lon))
        : null;
    const townPointDoubtful =
      townAt !== null && r.place_county !== null && townAt !== r.place_county && !counties.includes(townAt);
    if (townPointDoubtful && r.level === 'city') {
      const drawnAt =
        r.location_basis === 'ori'
          ? "the FBI's point"
          : r.location_basis === 'county'
            ? "its county's internal point"
            : 'that point all the same';
      townPointInDoubt.push(
        finding(
          `its town's point lies in county ${townAt}, outside the town's county ${r.place_county}; drawn at ${drawnAt}`,
        ),
      );
    }
    const tally =
      r.level === 'city' && r.place_kind === 'city' && !townPointDoubtful
        ? city
        : r.level === 'county' && r.place_kind === 'county'
          ? county
          : null;
    if (tally && r.place_lat !== null && r.place_lon !== null) {
      const far = distanceKm(lat, lon, Number(r.place_lat), Number(r.place_lon)) > PLACEMENT_TOLERANCE_KM;
      tally.checked++;
      tally.deploymentsChecked += deployments;
      if (far) {
        tally.far++;
        tally.deploymentsFar += deployments;
        disagreements.push(
          finding(
            `drawn more than ${PLACEMENT_TOLERANCE_KM} km from \
its ${r.level === 'city' ? "town's point" : "county's internal point"}`,
          ),
        );
      }
    }
    if (counties.length === 0 || townPointDoubtful) continue;
    const at = lookup.countyAt(lat, lon);
    if (at !== null && !counties.includes(at))
      disagreements.push(
        finding(
          `its point lies in county ${at}, not in \
its ${counties.length === 1 ? 'county' : 'counties'} ${counties.join(', ')}`,
        ),
      );
    if (r.place_kind === 'city' && r.place_county && !counties.includes(r.place_county))
      disagreements.push(
        finding(
          `its town lies in county ${r.place_county}, not in \
its ${counties.length === 1 ? 'county' : 'counties'} ${counties.join(', ')}`,
        ),
      );
  }
  const finish = (s: ReturnType<typeof share>): PlacementShare => ({
    ...s,
    share: s.checked === 0 ? 0 : s.far / s.checked,
  });
  return {
    toleranceKm: PLACEMENT_TOLERANCE_KM,
    agencies: rows.length,
    placed,
    cityAgencies: finish(city),
    countyAgencies: finish(county),
    disagreements,
    townPointInDoubt,
    inDoubt,
  };
}
