// The embedded database's own thread (see db/pglite-thread.ts): PGlite runs Postgres compiled
// to WebAssembly synchronously, so on the request thread every statement stalls every request.
// Plain JavaScript because worker threads do not inherit tsx's loader.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { PreparedStatements } from "./pglite-statements.mjs";

const { dataDir, startParams } = workerData;
const pg = new PGlite({ dataDir, ...(startParams ? { startParams } : {}) });
const statements = new PreparedStatements(pg);

/**
 * Per-statement parsers cost more than most statements: PGlite copies its ~320 type parsers
 * into a fresh object for every statement given any (about 60 µs, beside 60-150 µs for the
 * statement itself). drizzle sends one set, the same with every statement, so the first set
 * seen becomes PGlite's own and statements with it pass none. Any other set (none at all
 * included) goes with every parser spelled out, the defaults under its own.
 */
let instanceKey;
let defaults;
const fullParsers = new Map();
const identities = (raw) => Object.fromEntries(raw.map((oid) => [oid, (text) => text]));
function parsersFor(raw) {
  const key = raw.join(",");
  if (instanceKey === undefined) {
    instanceKey = key;
    defaults = pg.parsers;
    pg.parsers = { ...defaults, ...identities(raw) };
  }
  if (key === instanceKey) return undefined;
  let parsers = fullParsers.get(key);
  if (!parsers) {
    parsers = { ...defaults, ...identities(raw) };
    fullParsers.set(key, parsers);
  }
  return parsers;
}

/** What survives the thread boundary of a database error: drizzle and callers read `code`. */
function plainError(error) {
  const out = { message: String(error?.message ?? error) };
  for (const key of ["code", "detail", "hint", "constraint", "table", "column", "schema", "severity"]) {
    if (error && typeof error[key] === "string") out[key] = error[key];
  }
  return out;
}

const ops = {
  query: ({ sql, params, rowMode, raw }) =>
    statements.query(sql, params ?? [], { rowMode, parsers: parsersFor(raw) }).then((r) => ({
      rows: r.rows,
      fields: r.fields,
      affectedRows: r.affectedRows,
    })),
  exec: ({ sql }) => pg.exec(sql).then((results) => results.map((r) => ({ rows: r.rows, fields: r.fields }))),
  dump: () => pg.dumpDataDir("gzip").then((blob) => blob.arrayBuffer()),
  close: () => pg.close(),
};

pg.waitReady.then(
  () => parentPort.postMessage({ ready: true }),
  (error) => parentPort.postMessage({ ready: false, error: plainError(error) }),
);

parentPort.on("message", (message) => {
  ops[message.op](message).then(
    (result) => {
      parentPort.postMessage({ id: message.id, ok: true, result });
      if (message.op === "close") parentPort.close();
    },
    (error) => parentPort.postMessage({ id: message.id, ok: false, error: plainError(error) }),
  );
});
