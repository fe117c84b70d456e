// The world map's geometry: world-atlas countries (1:110m) projected to SVG paths once, keyed by ISO 3166-1 alpha-2.
import { createRequire } from 'node:module';
import { geoNaturalEarth1, geoPath } from 'd3-geo';
import countries from 'i18n-iso-countries';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';

export const MAP_WIDTH = 960;
export const MAP_HEIGHT = 480;

export interface CountryShape {
  /** Alpha-2, or undefined for shapes world-atlas gives no ISO number (Kosovo, Somaliland, N. Cyprus): drawn, never coloured. */
  cc: string | undefined;
  /** The SVG path, in a MAP_WIDTH × MAP_HEIGHT box, coordinates to 0.1. */
  d: string;
}

let shapes: readonly CountryShape[] | undefined;

/** Projects the geometry on first use (about 50 ms) and keeps it for the life of the process. */
export function worldShapes(): readonly CountryShape[] {
  if (shapes !== undefined) return shapes;
  const require = createRequire(import.meta.url);
  const topology = require('world-atlas/countries-110m.json') as Topology<{ countries: GeometryCollection<{ name: string }> }>;
  const world = feature(topology, topology.objects.countries);
  // Antarctica takes a sixth of the height and holds no networks.
  world.features = world.features.filter((f) => f.id !== '010');
  const projection = geoNaturalEarth1().fitSize([MAP_WIDTH, MAP_HEIGHT], world);
  const path = geoPath(projection).digits(1);
  shapes = world.features
    .map((f) => ({ cc: f.id === undefined ? undefined : countries.numericToAlpha2(String(f.id)), d: path(f) ?? '' }))
    .filter((shape) => shape.d !== '');
  return shapes;
}

/** Whether a code names a country (ISO 3166-1 alpha-2, upper case): the only country pages there are. */
export function isCountryCode(cc: string): boolean {
  return /^[A-Z]{2}$/.test(cc) && countries.isValid(cc);
}
