// Preloaded before every test run (bunfig.toml): hooks for the run as a whole.
import { afterAll } from "bun:test";
import { stopPostgres } from "./pg.ts";
import { removeTempDirs } from "./tmp.ts";

afterAll(() => {
  stopPostgres();
  removeTempDirs();
});
