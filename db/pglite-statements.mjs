// Named prepared statements for PGlite (used by db/pglite-worker.mjs). PGlite's query() parses,
// analyses and plans every statement anew and crosses into WebAssembly five times for it
// (parse, describe, bind, describe, execute); drizzle's "prepared" statements only cache the SQL
// text. Here a text seen twice is parsed once into a named statement, as postgres-js does on a
// real server, and each later run is one crossing: bind, describe, execute and sync together.
import { parse, protocol } from "@electric-sql/pglite";

const { serialize } = protocol;
/** Named statements kept at most; texts past it run as unnamed statements. */
const MAX_STATEMENTS = 256;
/** Texts remembered as seen once (a batch insert's text is seldom seen twice), then forgotten. */
const MAX_SEEN = 2048;

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

export class PreparedStatements {
  /** text -> Promise<{name, types}> of its named statement */
  #named = new Map();
  #seen = new Set();
  #next = 1;

  constructor(pg) {
    this.pg = pg;
  }

  /** What pg.query(text, params, options) answers, through a named statement once the text repeats. */
  async query(text, params, options) {
    let statement = this.#named.get(text);
    if (!statement) {
      if (this.#named.size >= MAX_STATEMENTS || !this.#seen.has(text)) {
        if (this.#seen.size >= MAX_SEEN) this.#seen.clear();
        this.#seen.add(text);
        return this.pg.query(text, params, options);
      }
      this.#seen.delete(text);
      statement = this.#prepare(text);
      this.#named.set(text, statement);
    }
    let prepared;
    try {
      prepared = await statement;
    } catch {
      // Not preparable now (a syntax error, an aborted transaction): the unnamed path answers
      // with PGlite's own error, and the text may be prepared on a later try.
      if (this.#named.get(text) === statement) this.#named.delete(text);
      return this.pg.query(text, params, options);
    }
    return this.#run(prepared, params, options);
  }

  #prepare(text) {
    const name = `pw_${this.#next++}`;
    return this.pg.runExclusive(async () => {
      const message = concat([
        serialize.parse({ name, text }),
        serialize.describe({ type: "S", name }),
        serialize.sync(),
      ]);
      const { messages } = await this.pg.execProtocol(message, { syncToFs: false });
      return { name, types: parse.parseDescribeStatementResults(messages) };
    });
  }

  #run({ name, types }, params, options) {
    const { pg } = this;
    return pg.runExclusive(async () => {
      // As PGlite's query() serialises parameters: by the type the statement declares.
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const serializer = pg.serializers[types[i]];
        return serializer ? serializer(value) : value.toString();
      });
      const message = concat([
        serialize.bind({ statement: name, values }),
        serialize.describe({ type: "P" }),
        serialize.execute({}),
        serialize.sync(),
      ]);
      const { messages } = await pg.execProtocol(message);
      return parse.parseResults(messages, pg.parsers, options)[0];
    });
  }
}
