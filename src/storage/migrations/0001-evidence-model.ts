import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../dialect';

/** The evidence model: places, agencies, deployments with dated events, policies, sources, officials, history. */
export async function up(db: Kysely<any>, dialect: DialectName): Promise<void> {
  const double = 'double precision';
  // Byte-order comparison on both databases, so ordering and keyset paging agree with SQLite.
  const text = dialect === 'postgres' ? sql`text collate "C"` : 'text';
  const serial = dialect === 'postgres' ? 'serial' : 'integer';

  await db.schema
    .createTable('places')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('full_name', text, (c) => c.notNull())
    .addColumn('state_code', text, (c) => c.notNull())
    .addColumn('geoid', 'text')
    .addColumn('county_geoid', 'text')
    .addColumn('lat', double)
    .addColumn('lon', double)
    .addColumn('population', 'integer')
    .execute();
  await db.schema.createIndex('places_state_kind').on('places').columns(['state_code', 'kind']).execute();
  await db.schema.createIndex('places_geoid').on('places').column('geoid').execute();

  await db.schema
    .createTable('place_aliases')
    .addColumn('place_id', text, (c) => c.notNull().references('places.id').onDelete('cascade'))
    .addColumn('state_code', text, (c) => c.notNull())
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('name_key', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('place_aliases_pk', ['place_id', 'name_key'])
    .execute();
  await db.schema.createIndex('place_aliases_lookup').on('place_aliases').columns(['name_key', 'state_code']).execute();

  await db.schema
    .createTable('agencies')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('state_code', text, (c) => c.notNull())
    .addColumn('ori', text, (c) => c.unique())
    .addColumn('agency_type', 'text')
    .addColumn('place_id', text, (c) => c.references('places.id'))
    .addColumn('lat', double)
    .addColumn('lon', double)
    .addColumn('location_basis', 'text')
    .execute();
  await db.schema.createIndex('agencies_state').on('agencies').column('state_code').execute();
  await db.schema.createIndex('agencies_place').on('agencies').column('place_id').execute();

  await db.schema
    .createTable('agency_aliases')
    .addColumn('agency_id', text, (c) => c.notNull().references('agencies.id').onDelete('cascade'))
    .addColumn('state_code', text, (c) => c.notNull())
    .addColumn('name_key', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('agency_aliases_pk', ['agency_id', 'name_key'])
    .execute();
  await db.schema
    .createIndex('agency_aliases_lookup')
    .on('agency_aliases')
    .columns(['name_key', 'state_code'])
    .execute();

  await db.schema
    .createTable('technologies')
    .addColumn('slug', text, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('description', text, (c) => c.notNull())
    .addColumn('sort_order', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('vendors')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('deployments')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('agency_id', text, (c) => c.notNull().references('agencies.id'))
    .addColumn('state_code', text, (c) => c.notNull())
    .addColumn('technology_slug', text, (c) => c.notNull().references('technologies.slug'))
    .addColumn('programme', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('started_on', 'text')
    .addColumn('ended_on', 'text')
    .addColumn('last_verified_on', 'text')
    .addColumn('summary', 'text')
    .addColumn('primary_origin', 'text')
    .execute();
  await db.schema.createIndex('deployments_agency').on('deployments').column('agency_id').execute();
  // Lists filter by state and technology and page in id order: these read just the page.
  await db.schema.createIndex('deployments_technology').on('deployments').columns(['technology_slug', 'id']).execute();
  await db.schema
    .createIndex('deployments_state_technology')
    .on('deployments')
    .columns(['state_code', 'technology_slug', 'id'])
    .execute();

  await db.schema
    .createTable('deployment_vendors')
    .addColumn('deployment_id', text, (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('vendor_id', text, (c) => c.notNull().references('vendors.id'))
    .addPrimaryKeyConstraint('deployment_vendors_pk', ['deployment_id', 'vendor_id'])
    .execute();
  await db.schema.createIndex('deployment_vendors_vendor').on('deployment_vendors').column('vendor_id').execute();

  await db.schema
    .createTable('sources')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('url', text, (c) => c.notNull())
    .addColumn('publisher', 'text')
    .addColumn('title', 'text')
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('archive_url', 'text')
    .execute();

  await db.schema
    .createTable('deployment_events')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('deployment_id', text, (c) => c.notNull().references('deployments.id').onDelete('cascade'))
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('occurred_on', 'text')
    .addColumn('source_id', text, (c) => c.references('sources.id'))
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('deployment_events_deployment').on('deployment_events').column('deployment_id').execute();

  await db.schema
    .createTable('policies')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('place_id', text, (c) => c.references('places.id'))
    .addColumn('state_code', text, (c) => c.notNull())
    .addColumn('jurisdiction', text, (c) => c.notNull())
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('title', text, (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('status_on', 'text')
    .addColumn('summary', 'text')
    .execute();

  await db.schema
    .createTable('policy_technologies')
    .addColumn('policy_id', text, (c) => c.notNull().references('policies.id').onDelete('cascade'))
    .addColumn('technology_slug', text, (c) => c.notNull().references('technologies.slug'))
    .addPrimaryKeyConstraint('policy_technologies_pk', ['policy_id', 'technology_slug'])
    .execute();

  await db.schema
    .createTable('policy_events')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('policy_id', text, (c) => c.notNull().references('policies.id').onDelete('cascade'))
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('occurred_on', 'text')
    .addColumn('source_id', text, (c) => c.references('sources.id'))
    .execute();

  await db.schema
    .createTable('citations')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('subject_type', text, (c) => c.notNull())
    .addColumn('subject_id', text, (c) => c.notNull())
    .addColumn('source_id', text, (c) => c.notNull().references('sources.id'))
    .addColumn('cited_on', 'text')
    .addColumn('note', 'text')
    .execute();
  await db.schema.createIndex('citations_subject').on('citations').columns(['subject_type', 'subject_id']).execute();

  await db.schema
    .createTable('officials')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('place_id', text, (c) => c.references('places.id'))
    .addColumn('state_code', text, (c) => c.notNull())
    .addColumn('jurisdiction', text, (c) => c.notNull())
    .addColumn('role', text, (c) => c.notNull())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('website_url', 'text')
    .addColumn('bio_url', 'text')
    .addColumn('source_url', 'text')
    .addColumn('verified_on', 'text')
    .execute();
  await db.schema.createIndex('officials_place').on('officials').column('place_id').execute();

  await db.schema
    .createTable('origins')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('entity_type', text, (c) => c.notNull())
    .addColumn('entity_id', text, (c) => c.notNull())
    .addColumn('dataset', text, (c) => c.notNull())
    .addColumn('file', text, (c) => c.notNull())
    .addColumn('line', 'integer', (c) => c.notNull())
    .addColumn('row_key', text, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('origins_entity').on('origins').columns(['entity_type', 'entity_id']).execute();

  await db.schema
    .createTable('revisions')
    .addColumn('id', serial, (c) => c.primaryKey())
    .addColumn('entity_type', text, (c) => c.notNull())
    .addColumn('entity_id', text, (c) => c.notNull())
    .addColumn('action', text, (c) => c.notNull())
    .addColumn('changes', text, (c) => c.notNull())
    .addColumn('actor', text, (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('created_at', text, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('revisions_entity').on('revisions').columns(['entity_type', 'entity_id']).execute();

  await db.schema
    .createTable('import_runs')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('kind', text, (c) => c.notNull())
    .addColumn('file', text, (c) => c.notNull())
    .addColumn('file_sha256', text, (c) => c.notNull())
    .addColumn('started_at', text, (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('rows_read', 'integer', (c) => c.notNull())
    .addColumn('rows_created', 'integer', (c) => c.notNull())
    .addColumn('rows_updated', 'integer', (c) => c.notNull())
    .addColumn('rows_unchanged', 'integer', (c) => c.notNull())
    .addColumn('rows_rejected', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('meta')
    .addColumn('key', text, (c) => c.primaryKey())
    .addColumn('value', text, (c) => c.notNull())
    .execute();
}
