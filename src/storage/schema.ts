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
  agency_search: AgencySearchRow;
  campaigns: CampaignRow;
  supporters: SupporterRow;
  campaign_actions: CampaignActionRow;
  campaign_action_targets: CampaignActionTargetRow;
  outbox: OutboxRow;
  deliveries: DeliveryRow;
  operators: OperatorRow;
  operator_sessions: OperatorSessionRow;
  redirects: RedirectRow;
  technology_events: TechnologyEventRow;
  data_sources: DataSourceRow;
  changes: ChangeRow;
  official_listings: OfficialListingRow;
  ocd_divisions: OcdDivisionRow;
  row_fingerprints: RowFingerprintRow;
  job_leases: JobLeaseRow;
  rate_limit_counts: RateLimitCountRow;
  spent_challenges: SpentChallengeRow;
  reports: ReportRow;
  report_decisions: ReportDecisionRow;
  watchers: WatcherRow;
}

export type PlaceKind = 'state' | 'county' | 'city';

export interface PlaceRow {
  /**
   * `ca` for a state, `county-06001`, `place-0653000`, or `mcd-<state+county fips>-<slug>` for a town without a place
   * GEOID.
   */
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
  /**
   * Where the point comes from: `city` (its town's point), `county` (its county's internal point), `ori` (the FBI's
   * point, where it agrees with its place), or null when unplaced.
   */
  location_basis: string | null;
  /** The 5-digit GEOIDs of the counties it serves, sorted, comma-separated; null when unknown. */
  county_geoids: string | null;
  /** city, county, state, federal, tribal or special (campus, transit, school, port, …); see domain/agencies. */
  level: string | null;
  /** Why its place is in doubt (e.g. the row's city and county belong to another state); null when it is not. */
  placement_issue: string | null;
}

/** An id that no longer names a record (merged into another) and the id that does. */
export interface RedirectRow {
  entity_type: string;
  from_id: string;
  to_id: string;
  reason: string;
  created_at: string;
}

/** Something that changed what a technology's status means (Ring ending police requests for footage), cited. */
export interface TechnologyEventRow {
  id: string;
  technology_slug: string;
  occurred_on: string;
  precision: string;
  title: string;
  summary: string;
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
  /** JSON array of other spellings that name this technology ("Cell-site Simulators", "ALPR"). */
  synonyms: string;
  /** 1 once an editor has reviewed it; 0 for one an import created from a value never seen before. */
  reviewed: number;
  created_at: string | null;
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
  /** When a source says use began. Every date here is the first day of its period, with its precision beside it. */
  started_on: string | null;
  started_precision: string | null;
  /** The earliest dated document or dataset that shows the deployment. */
  first_documented_on: string | null;
  first_documented_precision: string | null;
  /** The as-of date of the newest evidence that shows it in its current status. */
  last_seen_on: string | null;
  last_seen_precision: string | null;
  ended_on: string | null;
  ended_precision: string | null;
  /** The days it is known to have been in use (YYYY-MM-DD, inclusive); derived, for `active_on`. */
  active_from: string | null;
  active_until: string | null;
  summary: string | null;
  /**
   * The origin (dataset:row key) whose row owns the summary; later rows about the same deployment only add evidence.
   */
  primary_origin: string | null;
  /** The day a source that listed it no longer did (when no evidence is newer), and which source. */
  unlisted_on: string | null;
  unlisted_by: string | null;
}

export interface DeploymentVendorRow {
  deployment_id: string;
  vendor_id: string;
}

export interface DeploymentEventRow {
  /**
   * `<deployment id>@<dataset>:<row key>` for a transition, `@doc:<source id>` for a document,
   * `@listed:<dataset>:<as-of>` for a listing.
   */
  id: string;
  deployment_id: string;
  status: string;
  /** transition, documented or listed (domain/statuses: EVIDENCE_KINDS). */
  kind: string;
  /** vendor, official or reported (domain/statuses: EVIDENCE_STANDINGS). */
  standing: string;
  occurred_on: string | null;
  precision: string | null;
  /** The as-of date of the dataset that recorded it. */
  as_of: string | null;
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
  status_precision: string | null;
  /** city, county, state, transit-district or school-district: who made it (domain/policies). */
  level: string | null;
  /** The body that made it, e.g. "Oakland City Council". */
  body: string | null;
  /** Whom it binds (domain/policies: POLICY_SCOPES). */
  scope: string | null;
  scope_note: string | null;
  /** The dataset whose description (kind, title, scope) the record holds: a curated one outranks an aggregated list. */
  described_by: string | null;
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
  /** transition (the status began then) or listed (a list as of then counts it in that status). */
  kind: string;
  occurred_on: string | null;
  precision: string | null;
  source_id: string | null;
  note: string | null;
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
  cited_precision: string | null;
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
  /** 1 while the newest source that lists this office lists this person in it; 0 once a newer one shows another. */
  current: Generated<number>;
  /** The as-of date of the first source that no longer showed them in office. */
  ended_on: string | null;
  started_on: string | null;
  /** Open Civic Data division id of the office's jurisdiction, when a source gives it. */
  ocd_id: string | null;
}

/**
 * A source's row as last imported (a hash of its fields, the kind and the as-of date): the same row again is skipped.
 */
export interface RowFingerprintRow {
  /** `<dataset>|<row key>` */
  id: string;
  dataset: string;
  row_key: string;
  fingerprint: string;
}

/** An Open Civic Data division id and the place (or county) it names. */
export interface OcdDivisionRow {
  /** e.g. `ocd-division/country:us/state:il/place:chicago` */
  id: string;
  name: string;
  place_id: string;
}

/** One source's listing of an official, with its as-of date: the newest decides who holds the office now. */
export interface OfficialListingRow {
  /** `<official id>|<dataset>`: a newer version of a dataset replaces its listing. */
  id: string;
  official_id: string;
  dataset: string;
  as_of: string;
  /** `current` (listed in office), or `retired` (listed as having left: a reason to re-verify, not proof). */
  status: string;
  source_url: string | null;
  /**
   * The end of the term the source gives (for Open States, often a scheduled end; earlier than its as-of: re-verify).
   */
  term_ends_on: string | null;
}

/** A dataset the app knows and can sync: bundled, or added by an operator. */
export interface DataSourceRow {
  name: string;
  /** The import kind that reads it (atlas, fbi-agencies, …). */
  kind: string;
  /** An http(s) URL, or a path (relative paths are inside the bundled data folder). */
  location: string;
  title: string;
  licence: string;
  /** How the as-of date is found: `fixed:YYYY-MM-DD`, `file-name`, `last-modified` or `fetched`. */
  as_of_rule: string;
  bundled: number;
  /** Sync every this many hours when the server runs; null: only by hand. */
  schedule_hours: number | null;
  etag: string | null;
  last_modified: string | null;
  sha256: string | null;
  /** Where the raw file of the last fetch is kept (under var/sources/). */
  raw_path: string | null;
  as_of: string | null;
  as_of_precision: string | null;
  /** When the file last changed (a fetch that brought new bytes). */
  fetched_at: string | null;
  /** When it was last checked, changed or not. */
  checked_at: string | null;
  last_run_id: string | null;
  /** `imported`, `not-modified`, `unchanged` or `failed: …`. */
  last_outcome: string | null;
  created_at: string;
}

/** One entry of the public change history. */
export interface ChangeRow {
  id: Generated<number>;
  occurred_at: string;
  /** created | updated | no-longer-listed | loaded | renamed | merged | reviewed | ended | … */
  kind: string;
  entity_type: string;
  entity_id: string;
  /** What changed, in words. */
  title: string;
  detail: string | null;
  state_code: string | null;
  place_id: string | null;
  agency_id: string | null;
  technology_slug: string | null;
  /** The import run that made it, if any. */
  run_id: string | null;
  source_name: string | null;
  /** `import:<run id>` or `user:<who>`. */
  actor: string;
  /** JSON: the fields that changed, `{field: [before, after]}`. */
  fields: string | null;
  /** The resident's report whose acceptance made this change, if one did. */
  report_id: string | null;
  /** JSON array of the evidence URLs the change rests on (an accepted report's). */
  evidence_urls: string | null;
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
  /**
   * JSON: `{}` on create (the record and its origins say what was created); `{field: [before, after]}` on update; the
   * old record on delete.
   */
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
  /** The date the file's data was current, at its precision. */
  as_of: string | null;
  as_of_precision: string | null;
  started_at: string;
  finished_at: string | null;
  status: string;
  rows_read: number;
  rows_created: number;
  rows_updated: number;
  rows_unchanged: number;
  rows_rejected: number;
  source_name: string | null;
  /** 1 for a run of the bundled data's first load: the change history shows it as one entry. */
  first_load: Generated<number>;
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
  /**
   * sent: accepted by the mail server (receipt kept); kept: left in the outbox; bounced: refused; failed: will be
   * retried.
   */
  status: 'sent' | 'kept' | 'bounced' | 'failed';
  receipt: string | null;
  error: string | null;
  created_at: string;
  /** The digest's copy in the outbox (redacted when a supporter it names withdraws). */
  outbox_id: string | null;
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
  /** admin, moderator or organizer: what the operator may do (features/operators/permissions.ts). */
  role: string;
}

export interface OperatorSessionRow {
  token_hash: string;
  operator_id: string;
  created_at: string;
  expires_at: string;
}

export interface JobLeaseRow {
  name: string;
  /** The process running the job, or null when none is. */
  holder: string | null;
  /** Milliseconds since the epoch; no other process starts the job before then. */
  expires_at: number;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_outcome: string | null;
}

export interface RateLimitCountRow {
  bucket: string;
  /** A keyed hash of the client (address or email domain), never the client itself. */
  client: string;
  window_start: number;
  count: number;
}

/** The words of the name of an agency that has deployments (FTS5 on SQLite, tsvector on PostgreSQL). */
export interface AgencySearchRow {
  agency_id: string;
  body: string;
}

export interface SpentChallengeRow {
  challenge: string;
  /** Milliseconds since the epoch, when the challenge expires anyway. */
  expires_at: number;
}

/**
 * A resident's report of a change or an error. Public only once a moderator accepts it; the reporter's email
 * only sealed, with a keyed hash.
 */
export interface ReportRow {
  /** `rep-` + 16 random hex digits. */
  id: string;
  /** pending, accepted, rejected or duplicate. */
  status: string;
  /** deployment (an agency × technology, new or not), policy or official. */
  subject_type: string;
  /** The record it touches (for a deployment not recorded yet: the id it will have). */
  subject_id: string | null;
  agency_id: string | null;
  technology_slug: string | null;
  /** What happened (features/reports/report-kinds.ts): started, ended, cancelled, rejected, vote, renewed, correction. */
  happened: string;
  happened_on: string;
  happened_precision: string;
  /** JSON array of http(s) URLs. */
  evidence_urls: string;
  note: string | null;
  email_sealed: string | null;
  email_hash: string | null;
  /** The hash of the link that confirms the email; null once confirmed. */
  confirm_token_hash: string | null;
  email_confirmed_at: string | null;
  created_at: string;
  decided_at: string | null;
  /** `operator:<email>` of the moderator who decided. */
  decided_by: string | null;
  /** Why it was rejected (features/reports/report-kinds.ts: REJECTION_REASONS). */
  reason: string | null;
  decision_note: string | null;
  /** The report it repeats, when marked a duplicate. */
  duplicate_of: string | null;
}

/** Every decision on a report, kept: edited, accepted, rejected, duplicate. */
export interface ReportDecisionRow {
  id: Generated<number>;
  report_id: string;
  decision: string;
  operator: string;
  reason: string | null;
  note: string | null;
  /** JSON `{field: [before, after]}` of an edit. */
  changes: string | null;
  created_at: string;
}

/** Someone watching a place, an agency or a technology in a state for changes (sealed email, keyed hash). */
export interface WatcherRow {
  id: string;
  /** place, agency or technology-state (target id `<state>:<technology slug>`). */
  target_type: string;
  target_id: string;
  email_sealed: string;
  email_hash: string;
  /** The hash of the confirm link; null once confirmed. */
  confirm_token_hash: string | null;
  unsubscribe_token_hash: string;
  /** The unsubscribe token, sealed, so that every digest carries the link. */
  unsubscribe_token_sealed: string;
  confirmed_at: string | null;
  last_digest_at: string | null;
  created_at: string;
}
