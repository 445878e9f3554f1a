/**
 * The real datasets shipped in `data/`, in the order a first start loads them (places before agencies before
 * evidence).
 */
export interface BundledDataset {
  readonly kind: string;
  /** Relative to the repository's `data/` folder. */
  readonly path: string;
  readonly title: string;
  /** When the data was current, as its SOURCE.md gives it: YYYY-MM-DD, YYYY-MM or YYYY. */
  readonly asOf: string;
  readonly credit: string;
  readonly licence: string;
}

export const BUNDLED_DATASETS: readonly BundledDataset[] = [
  {
    kind: 'census-states',
    path: 'us-counties-gazetteer-2017/states.psv',
    title: 'US states and territories',
    asOf: '2017',
    credit: 'US Census Bureau',
    licence: 'Public domain',
  },
  {
    kind: 'census-counties',
    path: 'us-counties-gazetteer-2017/2017_Gaz_counties_national.psv',
    title: 'US counties (2017 Gazetteer)',
    asOf: '2017',
    credit: 'US Census Bureau',
    licence: 'Public domain',
  },
  {
    kind: 'census-places',
    path: 'us-places-census-2021/us-places-pop2021-latlon.csv',
    title: 'US cities and towns with 2021 population',
    asOf: '2021',
    credit: 'US Census Bureau and USGS GNIS, joined by The Pudding',
    licence: 'Public domain',
  },
  {
    kind: 'fbi-agencies',
    path: 'fbi-cde-agencies-2025/agencies.csv',
    title: 'Law-enforcement agencies (FBI Crime Data Explorer)',
    asOf: '2025-02-18',
    credit: 'FBI Crime Data Explorer, via TidyTuesday',
    licence: 'US government data',
  },
  {
    kind: 'atlas',
    path: 'atlas-of-surveillance-2020/atlas-of-surveillance-20201007.csv',
    title: 'Atlas of Surveillance export',
    asOf: '2020-10-07',
    credit: 'Electronic Frontier Foundation, Atlas of Surveillance',
    licence: 'CC BY 4.0',
  },
  {
    kind: 'frt-policies',
    path: 'facial-recognition-bans-fftf-2021/frt-regulations-us-2021.csv',
    title: 'Face-recognition bans and regulations',
    asOf: '2021-05-03',
    credit: 'Fight for the Future (banfacialrecognition.com), via Internet Freedom Foundation',
    licence: 'Facts and links only',
  },
  {
    kind: 'flock-cancellations',
    path: 'deflock-flock-cancellations/municipalities_flat.csv',
    title: 'Flock licence-plate reader cancellations',
    asOf: '2026-08-22',
    credit: 'DeFlock, via DeFlockBHM/deflocked-municipalities',
    licence: 'None stated',
  },
  {
    kind: 'curated-policies',
    path: 'counterwatch-curated/policies.csv',
    title: 'Bans, moratoria and oversight laws checked by Counterwatch',
    asOf: '2026-12-04',
    credit: 'Counterwatch maintainers, citing the public pages in each row',
    licence: 'CC0 1.0',
  },
  {
    kind: 'technology-events',
    path: 'counterwatch-curated/technology-events.csv',
    title: 'Events that changed what a technology means (Ring police requests)',
    asOf: '2026-12-04',
    credit: 'Counterwatch maintainers, citing the public pages in each row',
    licence: 'CC0 1.0',
  },
  {
    kind: 'uscm-mayors',
    path: 'us-mayors-uscm-2020/us-mayors-uscm-2020-10.csv',
    title: 'US mayors (US Conference of Mayors directory)',
    asOf: '2020-10-19',
    credit: 'US Conference of Mayors, scraped by OpenSourceActivism.tech',
    licence: 'MIT (scraper); public directory facts',
  },
  {
    kind: 'ocd-places',
    path: 'ocd-division-ids-us-places/us_census_places.csv',
    title: 'Open Civic Data division ids of US places, with Census GEOIDs',
    asOf: '2025-12-08',
    credit: 'Open Civic Data (opencivicdata/ocd-division-ids)',
    licence: 'CC0 1.0',
  },
  {
    kind: 'openstates-officials',
    path: 'openstates-municipal-officials-2026/data',
    title: 'US mayors (Open States people data)',
    asOf: '2026-08-05',
    credit: 'Open States (Plural Policy) and contributors, openstates/people',
    licence: 'CC0 1.0',
  },
];
