/**
 * Geo searches as Redis 7.0 plans them (geohash_helper.c): the search shape (a circle or an
 * axis-aligned box around a point), its bounding box, the geohash precision whose cells are
 * about its size, and the 9 cells (the centre's and its 8 neighbours) whose score ranges cover
 * it; plus the haversine distances used to keep only the points inside the shape. The same
 * double operations in the same order as Redis, so the same points are found.
 *
 * @packageDocumentation
 */
import { GEO_STEP_MAX, WGS84_LAT, WGS84_LONG, ZERO_HASH, geohashDecode, geohashEncode, geohashNeighbors, type GeoArea, type GeoHashBits } from './geohash';

/** Degrees to radians, as Redis's D_R (M_PI / 180). */
const D_R = Math.PI / 180;
/** The Earth's quadratic mean radius for WGS-84, in meters. */
export const EARTH_RADIUS_IN_METERS = 6372797.560856;
/** Half the Earth's circumference in Web Mercator meters: the widest a cell gets. */
const MERCATOR_MAX = 20037726.37;

/** A search shape. Lengths are in the query's unit; `conversion` turns them into meters. */
export interface GeoShape {
  /** `radius`: a circle of `radius`; `box`: `width` x `height`. */
  readonly type: 'radius' | 'box';
  /** The centre. */
  readonly longitude: number;
  readonly latitude: number;
  /** Meters per unit (km: 1000). */
  readonly conversion: number;
  readonly radius: number;
  readonly width: number;
  readonly height: number;
}

/** The cells a search reads: the centre's first, then north, south, east, west, NE, NW, SE, SW. */
export interface GeoSearchCells {
  readonly cells: readonly GeoHashBits[];
}

const degRad = (ang: number): number => ang * D_R;
const radDeg = (ang: number): number => ang / D_R;

/**
 * geohashEstimateStepsByRadius: the steps whose cells are just larger than the range (one less
 * near the poles, two less past 80°), in 1..26.
 */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return GEO_STEP_MAX;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  // Make sure the range is included in most of the base cases.
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return Math.min(Math.max(step, 1), GEO_STEP_MAX);
}

/**
 * geohashBoundingBox: [min lon, min lat, max lon, max lat] around the shape. Meridians
 * converge towards the poles, so the longitude span is taken at the edge nearer to them.
 */
function boundingBox(shape: GeoShape): [number, number, number, number] {
  const { longitude, latitude } = shape;
  const height = shape.conversion * (shape.type === 'radius' ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.type === 'radius' ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const longDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude + latDelta)));
  const longDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(latitude - latDelta)));
  const southern = latitude < 0;
  return [southern ? longitude - longDeltaBottom : longitude - longDeltaTop, latitude - latDelta, southern ? longitude + longDeltaBottom : longitude + longDeltaTop, latitude + latDelta];
}

/** The cell of the centre at `steps` (searches start from points inside the WGS84 limits). */
function centre(shape: GeoShape, steps: number): { hash: GeoHashBits; area: GeoArea } {
  const hash = geohashEncode(WGS84_LONG, WGS84_LAT, shape.longitude, shape.latitude, steps);
  return { hash, area: geohashDecode(hash) };
}

/**
 * geohashCalculateAreasByShapeWGS84: the 9 cells to read, with the useless ones (outside the
 * bounding box, when cells are small enough to tell) replaced by the zero hash.
 */
export function searchCells(shape: GeoShape): GeoSearchCells {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  // A box's reach is the distance from its centre to a corner.
  const reach = shape.type === 'radius' ? shape.radius : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2));
  let steps = estimateSteps(reach * shape.conversion, shape.latitude);
  let { hash, area } = centre(shape, steps);
  let n = geohashNeighbors(hash);

  // Near a cell's edge the estimate can be too coarse for the neighbours to cover the box.
  const north = geohashDecode(n.north);
  const south = geohashDecode(n.south);
  const east = geohashDecode(n.east);
  const west = geohashDecode(n.west);
  const tooCoarse = north.latitude.max < maxLat || south.latitude.min > minLat || east.longitude.max < maxLon || west.longitude.min > minLon;
  if (steps > 1 && tooCoarse) {
    steps--;
    ({ hash, area } = centre(shape, steps));
    n = geohashNeighbors(hash);
  }

  if (steps >= 2) {
    if (area.latitude.min < minLat) n.south = n.southWest = n.southEast = ZERO_HASH;
    if (area.latitude.max > maxLat) n.north = n.northEast = n.northWest = ZERO_HASH;
    if (area.longitude.min < minLon) n.west = n.southWest = n.northWest = ZERO_HASH;
    if (area.longitude.max > maxLon) n.east = n.southEast = n.northEast = ZERO_HASH;
  }
  return { cells: [hash, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest] };
}

/** geohashGetLatDistance: the distance between two latitudes along a meridian. */
function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: the haversine great-circle distance in meters. */
export function geoDistance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  // Same longitude: the distance is along the meridian, without the expensive terms.
  if (v === 0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/**
 * geoWithinShape's test for a point: its distance from the centre in meters when it is inside
 * the shape, or -1. A box holds the points within height/2 north-south and width/2 east-west
 * (measured along the point's parallel) of its centre.
 */
export function distanceIfWithin(shape: GeoShape, lon: number, lat: number): number {
  if (shape.type === 'radius') {
    const d = geoDistance(shape.longitude, shape.latitude, lon, lat);
    // Written as Redis's `d > radius` so that a NaN distance is kept, as it is there.
    return d > shape.radius * shape.conversion ? -1 : d;
  }
  const widthM = shape.width * shape.conversion;
  const heightM = shape.height * shape.conversion;
  if (latDistance(lat, shape.latitude) > heightM / 2) return -1;
  if (geoDistance(lon, lat, shape.longitude, lat) > widthM / 2) return -1;
  return geoDistance(shape.longitude, shape.latitude, lon, lat);
}
