import Supercluster from 'supercluster';
import vtpbf from 'vt-pbf';
import type { Kysely } from 'kysely';
import type { Database } from '#src/storage/schema';
import { readDatasetVersion } from '#src/storage/dataset-version';
import type { DeploymentFilter } from '#src/features/deployments/deployment-filter';
import { findDeploymentPoints } from '#src/features/deployments/deployments.repository';

export const TILE_EXTENT = 512;
export const MAX_TILE_ZOOM = 16;
const LAYER = 'deployments';

type PointProps = { id: string; technology: string; status: string; last_seen: string; agency: string };

/** A small least-recently-used cache. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

/**
 * Mapbox Vector Tiles of deployments, clustered below zoom 16 (supercluster), made in-process so that
 * they work the same on both databases. One cluster index per (dataset version, filter) and the encoded
 * tiles are cached; a new dataset version starts fresh caches.
 */
export class TileService {
  private readonly indexes = new Lru<Promise<Supercluster<PointProps>>>(8);
  private readonly tiles = new Lru<Buffer>(4000);

  constructor(private readonly db: Kysely<Database>) {}

  async tile(filter: DeploymentFilter, z: number, x: number, y: number): Promise<{ body: Buffer; version: string }> {
    const version = await readDatasetVersion(this.db);
    const filterKey = `${version}|${JSON.stringify(filter)}`;
    const tileKey = `${filterKey}|${z}/${x}/${y}`;
    const cached = this.tiles.get(tileKey);
    if (cached) return { body: cached, version };
    const index = await this.index(filterKey, filter);
    const tile = index.getTile(z, x, y);
    const features = (tile?.features ?? []).map((f) => {
      const tags = f.tags as Record<string, unknown>;
      // Clusters carry their size; points their deployment's id, technology, status (with the date it was last seen)
      // and agency.
      return tags.cluster
        ? {
            ...f,
            tags: {
              cluster: true,
              cluster_id: tags.cluster_id,
              point_count: tags.point_count,
              point_count_abbreviated: String(tags.point_count_abbreviated),
            },
          }
        : f;
    });
    const body = Buffer.from(
      vtpbf.fromGeojsonVt({ [LAYER]: { features } as never }, { version: 2, extent: TILE_EXTENT }),
    );
    this.tiles.set(tileKey, body);
    return { body, version };
  }

  private index(key: string, filter: DeploymentFilter): Promise<Supercluster<PointProps>> {
    let index = this.indexes.get(key);
    if (!index) {
      index = findDeploymentPoints(this.db, filter).then((points) =>
        new Supercluster<PointProps>({ maxZoom: MAX_TILE_ZOOM - 1, radius: 40, extent: TILE_EXTENT }).load(
          points.map((p) => ({
            type: 'Feature' as const,
            geometry: { type: 'Point' as const, coordinates: [p.lon, p.lat] },
            properties: {
              id: p.id,
              technology: p.technology,
              status: p.status,
              last_seen: p.lastSeen ?? '',
              agency: p.agency,
            },
          })),
        ),
      );
      index.catch(() => this.indexes.set(key, undefined as never));
      this.indexes.set(key, index);
    }
    return index;
  }
}
