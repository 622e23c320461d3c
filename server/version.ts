// Version facts. `bun run build` replaces the defines; from a source checkout
// they fall back to package.json and the start time.
import pkg from "../package.json" with { type: "json" };

declare const LIGHTFLOW_BUILD_DATE: string | undefined;
declare const LIGHTFLOW_BUILD_COMMIT: string | undefined;

export const VERSION: string = pkg.version;
export const BUILD_DATE: string = typeof LIGHTFLOW_BUILD_DATE === "string" ? LIGHTFLOW_BUILD_DATE : "";
export const BUILD_COMMIT: string = typeof LIGHTFLOW_BUILD_COMMIT === "string" ? LIGHTFLOW_BUILD_COMMIT : "";
