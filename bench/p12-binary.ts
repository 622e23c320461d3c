// P12 binary: the size of dist/lightflow, next to the Bun executable it embeds.
// Sizes are in MiB, the unit the build prints as "MB" (server/build/compile.ts).
import { statSync } from "node:fs";
import { BINARY } from "./lib/server.ts";
import { ratio, verdict, type Bench } from "./lib/types.ts";

export const binary: Bench = async () => {
  const size = statSync(BINARY).size;
  const bun = statSync(process.execPath).size;
  const m = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  return [
    {
      id: "P12",
      what: "binary",
      figure: m(size),
      baseline: `bun ${m(bun)}`,
      ratio: ratio(size, bun),
      target: "≤ 110 MiB",
      verdict: verdict(size <= 110 * 2 ** 20),
      note: `dist/lightflow is ${size.toLocaleString("en")} bytes (${(size / 1e6).toFixed(1)} MB in SI units); Lightflow's own part is ${m(size - bun)} over the runtime.`,
    },
  ];
};
