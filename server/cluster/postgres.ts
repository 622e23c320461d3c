// The nodes of one PostgreSQL database (README, "Several machines").
//
// - A node is a row in `nodes`; its lease is `last_seen_at`, renewed every
//   BEAT_MS. A node not seen for LEASE_MS is gone. Times are the database's
//   clock, so the nodes' own clocks need not agree.
// - The leader holds the one row of `leader` until `expires_at`, renewing it
//   with its beat. Another node takes the row once it expired, and the row's
//   `epoch` grows at every hand-over. Whatever only the leader may do (a fire,
//   giving a run to a node, closing a gone node's runs) runs in `fenced`: a
//   transaction that first locks the row and checks the epoch and the expiry,
//   so a leader that was cut off (or paused) and comes back writes nothing.
//   kill -9 of the leader: another node leads within LEASE_MS + BEAT_MS.
//   A clean stop gives the lead up at once.
// - The nodes tell each other what changed with NOTIFY on one channel (sent
//   after the transaction commits, batched per turn of the event loop) and
//   hear it on a LISTEN connection of their own. When that connection closes,
//   the node opens a new one at its next beat that reaches the database (not
//   Bun's own retry, whose back-off grows to tens of seconds: a node that
//   beats but does not hear is given runs it never starts), then reads the
//   state again, as messages may have been lost meanwhile.
// The beat is the one periodic thing a cluster node does: a lease cannot end
// without a clock. Work is never polled for; it arrives as a message.
import { SQL } from "bun";
import type { Config } from "../config.ts";
import { clusterSecret } from "../db/cluster.ts";
import type { SqlDb } from "../db/sql.ts";
import { StoreUnavailable } from "../engine/stores.ts";
import type { Cluster, ClusterMessage, NodeInfo, Roles } from "./cluster.ts";

export const LEASE_MS = 10_000;
export const BEAT_MS = 2_500;
const CHANNEL = "lightflow";
/** NOTIFY carries at most 8000 bytes: a batch of messages with its envelope stays under */
const MAX_MESSAGE = 7_400;
const NOW = "(extract(epoch from clock_timestamp()) * 1000)::bigint";

const log = (msg: string) => console.log(`lightflow: ${msg}`);

interface NodeRow {
  name: string;
  labels: string;
  url: string | null;
  capacity: number;
  started_at: number;
  last_seen_at: number;
  leader: string | null;
  now: number;
}

class LeadLost extends Error {}

export class PostgresCluster implements Cluster {
  readonly name: string;
  readonly labels: readonly string[];
  readonly shared = true;
  private epoch: number | null = null;
  /** performance.now() of the last renewal of the lead that was written */
  private renewedAt = 0;
  /** performance.now() of this node's last beat that reached the database */
  private beatAt = -Infinity;
  /** since when its beats have reached the database on time (none missed) */
  private steadySince = 0;
  private roles: Roles | null = null;
  private live: NodeInfo[] = [];
  private outbox: string[] = [];
  /** the database was unavailable at the last send: the outbox waits for it */
  private holding = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  /** the connection that hears the other nodes; null while it is closed (the next beat opens another) */
  private listener: SQL | null = null;
  /** the listener listens (a failed attempt to listen again is not said again at every beat) */
  private hearing = false;
  /** performance.now() when the listener last heard anything (this node's own messages too), or began to listen */
  private heardAt = 0;
  /** when this node, having heard nothing for a lease, sent a ping to hear itself; null: none out */
  private pingedAt: number | null = null;
  private stopped = false;
  private sharedSecret: string | null = null;

  constructor(
    private readonly db: SqlDb,
    private readonly url: string,
    private readonly config: Config,
    private readonly ownUrl: () => string,
    onAvailability?: (listener: (up: boolean) => void) => void,
  ) {
    this.name = config.nodeName;
    this.labels = config.nodeLabels;
    onAvailability?.((up) => up && this.storeUp());
  }

  async start(roles: Roles): Promise<void> {
    this.roles = roles;
    this.secret(); // made by the first node: there before any node asks another for a log
    // listening first: once its row is there, the others count it in and tell it everything
    // a LISTEN that never answers must not keep the node from starting without a word
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the database did not answer LISTEN within ${LEASE_MS / 1000} s`)), LEASE_MS);
    });
    try {
      await Promise.race([this.listen(false), late]);
    } catch (e) {
      if (this.listener) this.deaf(this.listener);
      if (this.stopped) return; // stopped while it connected
      throw e;
    } finally {
      clearTimeout(timer);
    }
    if (this.stopped) return;
    this.db
      .query(
        `INSERT INTO nodes (name, labels, url, capacity, started_at, last_seen_at, lost_at) VALUES (?, ?, ?, ?, ${NOW}, ${NOW}, NULL)
         ON CONFLICT (name) DO UPDATE SET labels = excluded.labels, url = excluded.url, capacity = excluded.capacity,
           started_at = excluded.started_at, last_seen_at = excluded.last_seen_at, lost_at = NULL`,
      )
      .run(this.name, JSON.stringify(this.labels), this.ownUrl(), this.config.globalConcurrency);
    this.publish({ kind: "nodes" });
    this.beat();
    this.timer = setInterval(() => this.beat(), BEAT_MS);
    log(`node ${this.name} joined: ${this.live.length} node(s) alive on this database${this.epoch !== null ? ", this one leading" : ""}`);
  }

  secret(): string {
    // read once: it never changes (and a node must not log or send it anywhere but to another node)
    return (this.sharedSecret ??= clusterSecret(this.db));
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    try {
      if (this.epoch !== null) this.db.query("UPDATE leader SET expires_at = 0 WHERE id = 1 AND epoch = ?").run(this.epoch);
      this.db.query("UPDATE nodes SET last_seen_at = 0 WHERE name = ?").run(this.name);
      this.outbox.push(JSON.stringify({ kind: "nodes" } satisfies ClusterMessage));
      this.flush();
    } catch (e) {
      if (!(e instanceof StoreUnavailable)) throw e;
    }
    this.epoch = null;
    const listener = this.listener;
    this.listener = null;
    void listener?.close({ timeout: 0 }).catch(() => {});
  }

  // ---- hearing the others ---------------------------------------------------------

  /**
   * Opens the connection that hears the other nodes. `again`: an earlier one
   * closed, so messages may have been missed: once this one listens, the
   * engine reads the state again (runs given to this node meanwhile start then).
   */
  private async listen(again: boolean): Promise<void> {
    const sql: SQL = new SQL(this.url, { max: 1, idleTimeout: 0, connectionTimeout: 5, onclose: () => this.deaf(sql) });
    this.listener = sql;
    this.hearing = false;
    this.heardAt = performance.now(); // checkHearing lets go of a LISTEN that never answers
    let listens = 0;
    try {
      await sql.listen(
        CHANNEL,
        (payload) => this.heard(payload),
        () => {
          if (this.listener !== sql || this.stopped) return;
          this.hearing = true;
          this.heardAt = performance.now();
          this.pingedAt = null;
          // listening again on this connection (had Bun reconnected it itself) means as much as on a new one
          if (again || listens++ > 0) this.safely("reading the state again", () => this.roles!.resync());
        },
      );
    } catch (e) {
      this.deaf(sql);
      throw e;
    }
  }

  /** The listening connection closed: it is let go (Bun would retry with a growing back-off); the next beat opens another. */
  private deaf(sql: SQL): void {
    if (this.listener !== sql) return;
    this.listener = null;
    void sql.close({ timeout: 0 }).catch(() => {});
    if (this.hearing && !this.stopped) log("the connection that hears the other nodes closed; listening again once the database answers");
    this.hearing = false;
  }

  /** Listening again, if the connection closed (at a beat that reached the database). */
  private hearAgain(): void {
    if (this.stopped || this.listener || !this.roles) return;
    this.listen(true).catch(() => {}); // deaf() let it go: the next beat tries again
  }

  /**
   * A listening connection can die without a word (a firewall or NAT that
   * forgets an idle connection): nothing closes, nothing arrives. After a
   * lease with nothing heard, the node sends itself a ping through its other
   * connection; unheard two beats later, the listener is let go and the next
   * beat listens again (and reads what was missed). A quiet cluster costs a
   * ping a lease; any message heard, the others' pings too, is proof enough.
   */
  private checkHearing(t: number): void {
    if (!this.listener || t - this.heardAt < LEASE_MS) return;
    if (!this.hearing) {
      // connected, then no answer to LISTEN (the path went dark just after it healed)
      log(`the database has not answered LISTEN for ${Math.round((t - this.heardAt) / 1000)} s: listening on a new connection`);
      this.deaf(this.listener);
    } else if (this.pingedAt === null) {
      this.pingedAt = t;
      this.publish({ kind: "ping" });
    } else if (t - this.pingedAt >= 2 * BEAT_MS) {
      log(`heard nothing from the database for ${Math.round((t - this.heardAt) / 1000)} s, not even its own message: listening on a new connection`);
      this.deaf(this.listener);
    }
  }

  // ---- the lease ----------------------------------------------------------------

  /** Renews this node's lease and the lead it holds, takes the lead when it is free, and (leading) finds gone nodes. */
  private beat(): void {
    if (this.stopped || !this.roles) return;
    try {
      const me = this.db.query<{ lost_at: number | null }, [string]>(`UPDATE nodes SET last_seen_at = ${NOW} WHERE name = ? RETURNING lost_at`).get(this.name);
      // timed once the database answered: a statement held for seconds (a path that dropped packets) is a missed beat too
      const t = performance.now();
      if (t - this.beatAt > 2 * BEAT_MS) this.steadySince = t; // beats were missed: this node was paused, or the database away
      this.beatAt = t;
      if (me?.lost_at != null) {
        log("the leader found this node gone while it could not reach the database; its runs were recorded failed");
        this.db.query("UPDATE nodes SET lost_at = NULL WHERE name = ?").run(this.name);
        this.publish({ kind: "nodes" }); // the leader places runs here again at once
        this.roles.rejoined();
      }
      this.hearAgain();
      this.checkHearing(t);
      if (this.epoch !== null) this.renew();
      else this.tryLead();
      this.refreshMembers();
      if (this.epoch !== null) this.findGone(t - this.steadySince >= LEASE_MS);
    } catch (e) {
      // from a timer or a callback: thrown, it would end the process
      if (!(e instanceof StoreUnavailable)) return void console.error(`lightflow: the node's beat failed: ${(e as Error).stack}`);
      // cannot renew: the lease runs out on its own; stop leading before it does
      if (this.epoch !== null && performance.now() - this.renewedAt > LEASE_MS - BEAT_MS) this.lose("the database cannot be reached");
    }
  }

  private renew(): void {
    const t0 = performance.now();
    const kept = this.db.query(`UPDATE leader SET expires_at = ${NOW} + ? WHERE id = 1 AND epoch = ? AND node = ?`).run(LEASE_MS, this.epoch, this.name).changes;
    if (kept === 1) this.renewedAt = t0;
    else this.lose("another node took the lead");
  }

  private tryLead(): void {
    const before = this.db.query<{ node: string; expires_at: number; now: number }, []>(`SELECT node, expires_at, ${NOW} AS now FROM leader WHERE id = 1`).get();
    // a lead held under this node's own name is a dead process's (this one holds the name): take it at once
    if (before && before.expires_at > before.now && before.node !== this.name) return;
    const t0 = performance.now();
    const won = this.db
      .query<{ epoch: number }, [string, number]>(
        `INSERT INTO leader (id, node, epoch, expires_at) VALUES (1, ?, 1, ${NOW} + ?)
         ON CONFLICT (id) DO UPDATE SET node = excluded.node, epoch = leader.epoch + 1, expires_at = excluded.expires_at
         WHERE leader.expires_at <= ${NOW} OR leader.node = excluded.node RETURNING epoch`,
      )
      .get(this.name, LEASE_MS);
    if (!won) return;
    this.epoch = won.epoch;
    this.renewedAt = t0;
    // the previous leader was alive until its lease was last renewed: a hand-over (long gone: a cold start)
    const lastLed = before && before.expires_at > 0 ? before.expires_at - LEASE_MS : null;
    const handover = lastLed !== null && before!.now - lastLed < 5 * 60_000 ? lastLed : null;
    log(`this node leads now (epoch ${won.epoch}${before ? `, after ${before.node}` : ""})`);
    // whatever fails from here gives the lead up: held without the engine leading, nothing would fire or be placed
    try {
      this.refreshMembers();
      this.publish({ kind: "nodes" });
      this.roles!.lead(handover);
    } catch (e) {
      this.lose(`taking the lead failed: ${(e as Error).message}`); // the next beat tries again
      if (!(e instanceof StoreUnavailable)) throw e;
    }
  }

  private lose(why: string): void {
    if (this.epoch === null) return;
    log(`this node no longer leads: ${why}`);
    this.epoch = null;
    this.roles?.follow();
  }

  /**
   * Nodes whose lease ran out: the leader closes their runs once (lost_at says
   * it did). A lease that ran out says a node is gone only to a node that
   * watched it for a whole lease (`steady`): after the database was away from
   * every node, or this one was paused, the others have not beaten again yet
   * either. A node that said it stopped is gone at once.
   */
  private findGone(steady: boolean): void {
    const gone = this.db
      .query<{ name: string; last_seen_at: number }, [number, number]>(
        `SELECT name, last_seen_at FROM nodes WHERE last_seen_at < ${NOW} - ? AND lost_at IS NULL AND (? = 1 OR last_seen_at = 0)`,
      )
      .all(LEASE_MS, steady ? 1 : 0);
    for (const { name, last_seen_at } of gone) {
      // a clean stop sets last_seen_at to 0
      log(last_seen_at === 0 ? `node ${name} stopped` : `node ${name} has not been seen for ${LEASE_MS / 1000} s: it is gone`);
      // its runs closed (fenced) or not at all: then the next beat tries again
      if (!this.roles!.nodeLost(name)) return;
      this.db.query(`UPDATE nodes SET lost_at = ${NOW} WHERE name = ?`).run(name);
      this.publish({ kind: "nodes" });
    }
  }

  fenced<T>(fn: () => T): T | null {
    if (this.epoch === null) return null;
    try {
      return this.db.transaction(() => {
        const held = this.db
          .query(`SELECT epoch FROM leader WHERE id = 1 AND epoch = ? AND node = ? AND expires_at > ${NOW} FOR UPDATE`)
          .get(this.epoch, this.name);
        if (!held) throw new LeadLost();
        return fn();
      });
    } catch (e) {
      if (!(e instanceof LeadLost)) throw e;
      this.lose("its lease ended");
      return null;
    }
  }

  term(): number | null {
    return this.epoch;
  }

  assign(runId: number, node: string, term: number | null): boolean | null {
    if (this.epoch === null || this.epoch !== term) return null;
    // one round trip: the lease is checked in the same statement (a takeover needs it expired first)
    const given = this.db
      .query(
        `UPDATE runs SET node = ? WHERE id = ? AND status = 'queued' AND node IS NULL
         AND EXISTS (SELECT 1 FROM leader WHERE id = 1 AND epoch = ? AND node = ? AND expires_at > ${NOW})`,
      )
      .run(node, runId, this.epoch, this.name).changes;
    if (given === 1) return true;
    // not given: the run was cancelled (or given) meanwhile, or this node's lease ran out
    const held = this.db.query(`SELECT 1 AS held FROM leader WHERE id = 1 AND epoch = ? AND node = ? AND expires_at > ${NOW}`).get(this.epoch, this.name);
    if (held) return false;
    this.lose("its lease ended");
    return null;
  }

  // ---- who is there -------------------------------------------------------------------

  private read(): NodeInfo[] {
    const rows = this.db
      .query<NodeRow, []>(
        `SELECT n.name, n.labels, n.url, n.capacity, n.started_at, n.last_seen_at, ${NOW} AS now,
           (SELECT l.node FROM leader l WHERE l.id = 1 AND l.expires_at > ${NOW}) AS leader
         FROM nodes n ORDER BY n.name`,
      )
      .all();
    return rows.map((r) => ({
      name: r.name,
      labels: JSON.parse(r.labels) as string[],
      url: r.url,
      capacity: r.capacity,
      started_at: r.started_at,
      last_seen_at: r.last_seen_at,
      leader: r.leader === r.name,
      alive: r.last_seen_at >= r.now - LEASE_MS,
    }));
  }

  nodes(): NodeInfo[] {
    return this.read();
  }

  /** The live nodes again; a node that came or went is news to this one's engine (room to place runs). */
  private refreshMembers(): void {
    const before = this.live.map((n) => n.name).join(",");
    this.live = this.read().filter((n) => n.alive);
    if (this.live.map((n) => n.name).join(",") !== before) this.roles?.message({ kind: "nodes" }, this.name);
  }

  members(): readonly NodeInfo[] {
    return this.live;
  }

  // ---- messages -------------------------------------------------------------------------

  publish(m: ClusterMessage): void {
    if (this.stopped) return;
    let text = JSON.stringify(m);
    // NOTIFY's limit is in bytes (a description in CJK is three bytes a character)
    if (Buffer.byteLength(text) > MAX_MESSAGE) {
      // too big to carry: say what to read instead
      if (m.kind === "event" && m.event.type === "run") text = JSON.stringify({ kind: "run", id: m.event.run.id } satisfies ClusterMessage);
      else if (m.kind === "event" && m.event.type === "task") text = JSON.stringify({ kind: "changed", what: "tasks" } satisfies ClusterMessage);
      else return log(`a message to the other nodes was too big to send (${m.kind})`);
    }
    if (this.outbox.push(text) === 1 && !this.holding) queueMicrotask(() => this.flush());
  }

  /**
   * Sends what waits, in batches that fit. While the database is unavailable
   * the messages wait (a run that ended meanwhile must still reach the leader)
   * and go when it is back, after the writes that waited with them.
   */
  private flush(): void {
    while (this.outbox.length) {
      let bytes = 0;
      let n = 0;
      while (n < this.outbox.length && (n === 0 || bytes + Buffer.byteLength(this.outbox[n]!) + 1 <= MAX_MESSAGE)) bytes += Buffer.byteLength(this.outbox[n++]!) + 1;
      try {
        this.db.query("SELECT pg_notify(?, ?)").get(CHANNEL, `{"from":${JSON.stringify(this.name)},"m":[${this.outbox.slice(0, n).join(",")}]}`);
        this.outbox.splice(0, n);
      } catch (e) {
        if (e instanceof StoreUnavailable) {
          this.holding = true;
          return;
        }
        // from a microtask: thrown, it would end the process
        console.error(`lightflow: a message to the other nodes could not be sent: ${(e as Error).message}`);
        this.outbox.splice(0, n);
      }
    }
  }

  /** The database is back: what waited goes (once the engine's kept writes are done). */
  private storeUp(): void {
    this.hearAgain();
    if (!this.holding) return;
    this.holding = false;
    queueMicrotask(() => this.flush());
  }

  /**
   * What runs in the listener's callbacks must not throw: Bun reports it as an
   * uncaught exception. The database going away meanwhile is expected (what was
   * missed is read again when the listener reconnects); anything else is a bug, logged.
   */
  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof StoreUnavailable)) console.error(`lightflow: ${what} failed: ${(e as Error).stack}`);
    }
  }

  private heard(payload: string): void {
    let parsed: { from: string; m: ClusterMessage[] };
    try {
      parsed = JSON.parse(payload);
    } catch {
      return;
    }
    this.heardAt = performance.now();
    this.pingedAt = null;
    if (typeof parsed?.from !== "string" || !Array.isArray(parsed.m)) return; // not a node's (someone's NOTIFY by hand)
    if (parsed.from === this.name || !this.roles) return;
    for (const m of parsed.m) {
      if (typeof m?.kind !== "string" || m.kind === "ping") continue; // a ping is heard: that was all it asked
      if (m.kind === "nodes") this.beat(); // a node came or went, or the lead was given up: see at once
      this.safely(`a message from node ${parsed.from}`, () => this.roles!.message(m, parsed.from));
    }
  }
}
