// Preloaded before every test run (bunfig.toml): hooks for the run as a whole.
import { afterAll } from "bun:test";
import { removeTempDirs } from "./tmp.ts";

afterAll(removeTempDirs);
