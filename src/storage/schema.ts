import type { Generated } from 'kysely';

/**
 * Row types of every table. Dates are TEXT `YYYY-MM-DD` and timestamps TEXT ISO-8601 on both databases,
 * so that SQLite and PostgreSQL return identical values. These types stop at the repositories.
 */
export interface Database {
  places: PlaceRow;
  place_aliases: PlaceAliasRow;
  agencies: AgencyRow;
  agency_aliases: AgencyAliasRow;
  technologies: TechnologyRow;
  vendors: VendorRow;
  deployments: DeploymentRow;
  deployment_vendors: DeploymentVendorRow;
  deployment_events: DeploymentEventRow;
  policies: PolicyRow;
  policy_technologies: PolicyTechnologyRow;
  policy_events: PolicyEventRow;
  sources: SourceRow;
  citations: CitationRow;
  officials: OfficialRow;
  origins: OriginRow;
  revisions: RevisionRow;
  import_runs: ImportRunRow;
  meta: MetaRow;
  deployment_search: DeploymentSearchRow;
  campaigns: CampaignRow;
  supporters: SupporterRow;
  campaign_actions: CampaignActionRow;
  campaign_action_targets: CampaignActionTargetRow;
  outbox: OutboxRow;
  deliveries: DeliveryRow;
  operators: OperatorRow;
  operator_sessions: OperatorSessionRow;
}

export type PlaceKind = 'state' | 'county' | 'city';

export interface PlaceRow {
  /** `ca` for a state, `county-06001`, `place-0653000`, or `mcd-<state+county fips>-<slug>` for a town without a place GEOID. */
  id: string;
  kind: PlaceKind;
  name: string;
  /** The Census name, e.g. "Oakland city". */
  full_name: string;
  state_code: string;
  geoid: string | null;
  /** For cities: the 5-digit GEOID of the county they lie in. */
  county_geoid: string | null;
  lat: number | null;
  lon: number | null;
  population: number | null;
}

export interface PlaceAliasRow {
  place_id: string;
  state_code: string;
  kind: PlaceKind;
  name_key: string;
}

export interface AgencyRow {
  id: string;
  name: string;
  state_code: string;
  ori: string | null;
  /** police, sheriff, state police, university, ... as the sources give it, lower-case. */
  agency_type: string | null;
  place_id: string | null;
  lat: number | null;
  lon: number | null;
  /** Where the point comes from: `ori` (FBI agency point), `city`, `county`, or null when unplaced. */
  location_basis: string | null;
}

export interface AgencyAliasRow {
  agency_id: string;
  state_code: string;
  name_key: string;
}

export interface TechnologyRow {
  slug: string;
  name: string;
  description: string;
  sort_order: number;
}

export interface VendorRow {
  id: string;
  name: string;
}

export interface DeploymentRow {
  /** `<agency id>--<technology slug>`, plus `--<programme>` when the source names one (e.g. flock-safety). */
  id: string;
  agency_id: string;
  /** The agency's state, kept here too so that lists by state and technology read one index. */
  state_code: string;
  technology_slug: string;
  programme: string;
  status: string;
  started_on: string | null;
  ended_on: string | null;
  last_verified_on: string | null;
  summary: string | null;
  /** The origin (dataset:row key) whose row owns the summary; later rows about the same deployment only add evidence. */
  primary_origin: string | null;
}

export interface DeploymentVendorRow {
  deployment_id: string;
  vendor_id: string;
}

export interface DeploymentEventRow {
  /** `<deployment id>@<status>@<date or undated>` */
  id: string;
  deployment_id: string;
  status: string;
  occurred_on: string | null;
  source_id: string | null;
  note: string | null;
}

export interface PolicyRow {
  id: string;
  place_id: string | null;
  state_code: string;
  /** The jurisdiction as the source names it, e.g. "Somerville, Massachusetts". */
  jurisdiction: string;
  kind: string;
  title: string;
  status: string;
  status_on: string | null;
  summary: string | null;
}

export interface PolicyTechnologyRow {
  policy_id: string;
  technology_slug: string;
}

export interface PolicyEventRow {
  id: string;
  policy_id: string;
  status: string;
  occurred_on: string | null;
  source_id: string | null;
}

export interface SourceRow {
  /** `src-` + the first 16 hex digits of the SHA-256 of the URL. */
  id: string;
  url: string;
  publisher: string | null;
  title: string | null;
  /** news, government, vendor, dataset, advocacy, other */
  kind: string;
  archive_url: string | null;
}

export interface CitationRow {
  /** `<subject type>:<subject id>:<source id>` */
  id: string;
  subject_type: string;
  subject_id: string;
  source_id: string;
  cited_on: string | null;
  note: string | null;
}

export interface OfficialRow {
  id: string;
  place_id: string | null;
  state_code: string;
  jurisdiction: string;
  role: string;
  name: string;
  email: string | null;
  phone: string | null;
  website_url: string | null;
  bio_url: string | null;
  source_url: string | null;
  verified_on: string | null;
}

export interface OriginRow {
  /** `<entity type>:<entity id>:<dataset>:<row key>` */
  id: string;
  entity_type: string;
  entity_id: string;
  dataset: string;
  file: string;
  line: number;
  row_key: string;
}

export interface RevisionRow {
  id: Generated<number>;
  entity_type: string;
  entity_id: string;
  action: 'create' | 'update' | 'delete';
  /** JSON: `{}` on create (the record and its origins say what was created); `{field: [before, after]}` on update; the old record on delete. */
  changes: string;
  /** `import:<import run id>` or `user:<id>`. */
  actor: string;
  /** Why, in words; null for imports, whose run (kind, file, SHA-256) is the reason. */
  reason: string | null;
  created_at: string;
}

export interface ImportRunRow {
  id: string;
  kind: string;
  file: string;
  file_sha256: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  rows_read: number;
  rows_created: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_rejected: number;
}

export interface MetaRow {
  key: string;
  value: string;
}

/** Search text of a deployment (FTS5 table on SQLite; a tsvector column is added on PostgreSQL). */
export interface DeploymentSearchRow {
  deployment_id: string;
  body: string;
}

export interface CampaignRow {
  id: string;
  title: string;
  ask: string;
  description: string;
  target_rule: string;
  technology_slug: string | null;
  letter_subject: string;
  letter_template: string;
  call_script: string;
  starts_on: string;
  ends_on: string | null;
  created_at: string;
  delivery_mode: 'off' | 'test' | 'live';
  organizer_email_sealed: string | null;
  deliveries_per_target_per_hour: number;
  /** Suggestions for making a letter one's own, one per line. */
  prompts: string;
}

/** Personal data only sealed (AES-256-GCM) or as keyed hashes. */
export interface SupporterRow {
  id: string;
  email_hash: string;
  email_sealed: string;
  name_sealed: string;
  address_sealed: string | null;
  opt_in_updates: number;
  withdraw_token_hash: string;
  /** The same token, sealed, so that later mails repeat the link. */
  withdraw_token_sealed: string | null;
  created_at: string;
}

export type CampaignActionKind = 'petition' | 'letter' | 'call';

export interface CampaignActionRow {
  id: string;
  campaign_id: string;
  supporter_id: string | null;
  place_id: string;
  kind: CampaignActionKind;
  message_sealed: string | null;
  message_hash: string | null;
  delivery: 'server' | 'mailto' | null;
  status: 'pending' | 'confirmed';
  confirm_token_hash: string | null;
  confirm_token_sealed: string | null;
  created_at: string;
  reminded_at: string | null;
  confirmed_at: string | null;
}

export interface CampaignActionTargetRow {
  action_id: string;
  official_id: string;
  /** The digest that carried this action to this official; null until then. */
  delivery_id: string | null;
}

export interface DeliveryRow {
  id: string;
  campaign_id: string;
  official_id: string;
  mode: 'test' | 'live';
  recipient_sealed: string;
  actions: number;
  /** sent: accepted by the mail server (receipt kept); kept: left in the outbox; bounced: refused; failed: will be retried. */
  status: 'sent' | 'kept' | 'bounced' | 'failed';
  receipt: string | null;
  error: string | null;
  created_at: string;
}

export interface OutboxRow {
  id: string;
  kind: string;
  recipient_sealed: string;
  subject: string;
  body_sealed: string;
  status: 'queued' | 'sent' | 'failed' | 'kept';
  supporter_id: string | null;
  created_at: string;
  sent_at: string | null;
  error: string | null;
}

export interface OperatorRow {
  id: string;
  email: string;
  password_hash: string;
  created_at: string;
}

export interface OperatorSessionRow {
  token_hash: string;
  operator_id: string;
  created_at: string;
  expires_at: string;
}
