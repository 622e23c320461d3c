import { loadConfig } from "../config.ts";
import { BUILD_COMMIT, BUILD_DATE, VERSION } from "../version.ts";

export function version(): number {
  const commit = BUILD_COMMIT || loadConfig().gitCommit;
  console.log(`lightflow ${VERSION}${commit ? ` (commit ${commit})` : ""}${BUILD_DATE ? ` built ${BUILD_DATE}` : ""}`);
  return 0;
}
