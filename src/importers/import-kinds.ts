import type { ImportKind } from './import-kind';
import { atlasImporter } from './kinds/atlas.importer';
import { atlasDataLibraryImporter } from './kinds/atlas-data-library.importer';
import { censusCountiesImporter, censusPlacesImporter, censusStatesImporter } from './kinds/census.importers';
import { counterwatchExportImporter } from './kinds/counterwatch-export.importer';
import { curatedPoliciesImporter } from './kinds/curated-policies.importer';
import { fbiAgenciesImporter } from './kinds/fbi-agencies.importer';
import { flockCancellationsImporter } from './kinds/flock-cancellations.importer';
import { frtPoliciesImporter } from './kinds/frt-policies.importer';
import { technologyEventsImporter } from './kinds/technology-events.importer';
import { uscmMayorsImporter } from './kinds/uscm-mayors.importer';
import { ocdPlacesImporter } from './kinds/ocd-places.importer';
import { openStatesOfficialsImporter } from './kinds/openstates-officials.importer';

/** Every importer, by the kind name used on the command line. */
export const IMPORT_KINDS: ReadonlyMap<string, ImportKind<any>> = new Map(
  [
    censusStatesImporter,
    censusCountiesImporter,
    censusPlacesImporter,
    fbiAgenciesImporter,
    atlasImporter,
    atlasDataLibraryImporter,
    frtPoliciesImporter,
    flockCancellationsImporter,
    curatedPoliciesImporter,
    technologyEventsImporter,
    uscmMayorsImporter,
    ocdPlacesImporter,
    openStatesOfficialsImporter,
    counterwatchExportImporter,
  ].map((k) => [k.name, k]),
);
