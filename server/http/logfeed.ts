// Moved to engine/logfeed.ts (the follow) and engine/logs.ts (the store). Only
// app.ts still says `new LogFeeds(engine)`: delete this file when it passes
// `engine.logs` to the routes instead (issue 15, item 4).
import type { Engine } from "../engine/index.ts";
import { liveSteps } from "../engine/logfeed.ts";
import { FileLogStore } from "../engine/logs.ts";

export class LogFeeds extends FileLogStore {
  constructor(engine: Engine) {
    super(engine.config.dataDir, liveSteps(engine));
  }
}
