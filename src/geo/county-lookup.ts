import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { MultiPolygon, Polygon, Position } from 'geojson';

/** Finds the county a point lies in. */
export interface CountyLookup {
  /** The 5-digit GEOID of the county containing the point, or null (offshore, or outside the states). */
  countyAt(lat: number, lon: number): string | null;
}

interface CountyShape {
  readonly geoid: string;
  readonly polygons: ReadonlyArray<readonly Position[][]>;
}

const CELL_DEGREES = 1;
let loaded: CountyLookup | null = null;

/**
 * The counties of the US Census Bureau's 2017 cartographic boundaries, as packaged by `us-atlas`
 * (counties-10m.json, the outlines the map draws), read once on first use. The outlines are simplified:
 * a point within a few hundred metres of a county line may be given the neighbouring county.
 */
export function countyLookup(): CountyLookup {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const topology = JSON.parse(readFileSync(require.resolve('us-atlas/counties-10m.json'), 'utf8')) as Topology<{
    counties: GeometryCollection;
  }>;
  const collection = feature(topology, topology.objects.counties);
  const grid = new Map<string, CountyShape[]>();
  for (const f of collection.features) {
    const geometry = f.geometry as Polygon | MultiPolygon | null;
    if (!geometry || f.id === undefined) continue;
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
    const shape: CountyShape = { geoid: String(f.id).padStart(5, '0'), polygons };
    let [minLon, minLat, maxLon, maxLat] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const polygon of polygons) {
      for (const [lon, lat] of polygon[0]!) {
        minLon = Math.min(minLon, lon!);
        maxLon = Math.max(maxLon, lon!);
        minLat = Math.min(minLat, lat!);
        maxLat = Math.max(maxLat, lat!);
      }
    }
    for (let x = Math.floor(minLon / CELL_DEGREES); x <= Math.floor(maxLon / CELL_DEGREES); x++) {
      for (let y = Math.floor(minLat / CELL_DEGREES); y <= Math.floor(maxLat / CELL_DEGREES); y++) {
        const key = `${x}:${y}`;
        const list = grid.get(key) ?? [];
        list.push(shape);
        grid.set(key, list);
      }
    }
  }
  loaded = {
    countyAt(lat, lon) {
      for (const shape of grid.get(`${Math.floor(lon / CELL_DEGREES)}:${Math.floor(lat / CELL_DEGREES)}`) ?? []) {
        if (shape.polygons.some((polygon) => insidePolygon(polygon, lon, lat))) return shape.geoid;
      }
      return null;
    },
  };
  return loaded;
}

/** Even-odd rule over the polygon's rings: inside the outer ring and outside its holes. */
function insidePolygon(rings: readonly Position[][], x: number, y: number): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i] as [number, number];
      const [xj, yj] = ring[j] as [number, number];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}
