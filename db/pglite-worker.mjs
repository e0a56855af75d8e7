// The embedded database's own thread (see db/pglite-thread.ts): PGlite runs Postgres compiled
// to WebAssembly synchronously, so on the request thread every statement stalls every request.
// Plain JavaScript because worker threads do not inherit tsx's loader.
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";

const { dataDir, startParams } = workerData;
const pg = new PGlite({ dataDir, ...(startParams ? { startParams } : {}) });

/** Parsers that leave a type's text as it is, keyed by the list of type ids (drizzle sends one set). */
const rawParsers = new Map();
function parsersFor(raw) {
  const key = raw.join(",");
  let parsers = rawParsers.get(key);
  if (!parsers) {
    parsers = Object.fromEntries(raw.map((oid) => [oid, (text) => text]));
    rawParsers.set(key, parsers);
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
    pg.query(sql, params, { rowMode, parsers: parsersFor(raw) }).then((r) => ({
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
