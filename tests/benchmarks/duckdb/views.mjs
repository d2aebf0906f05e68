// Computes the pipeline's four views with DuckDB from the raw log's NDJSON.gz copies on local disk,
// with the same de-duplication (by partition and sequence number, then by source and id), and prints
// one JSON line per view: {"view":..., "seconds":..., "events":..., "keys":...}.
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
const source = `read_json('${dir}/**/*.ndjson.gz', format='newline_delimited', compression='gzip',
  columns={p: 'INTEGER', s: 'BIGINT', t: 'VARCHAR', e: 'JSON'})`;
const deduplicated = `(SELECT * FROM (SELECT DISTINCT ON (p, s) p, s, e FROM ${source})
  QUALIFY row_number() OVER (PARTITION BY e->>'source', e->>'id' ORDER BY p, s) = 1)`;
const day = `strftime(CAST(e->>'time' AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m-%d')`;
const views = {
  'new-users': `SELECT ${day} AS k, count(*) AS v, count(*) AS n FROM ${deduplicated} WHERE e->>'type' = 'user.signup' GROUP BY k`,
  'new-users-v2': `SELECT ${day} AS k, count(*) AS v, count(*) AS n FROM ${deduplicated} WHERE e->>'type' = 'user.signup' AND coalesce(e->'data'->>'plan', '') <> 'test' GROUP BY k`,
  'active-users': `SELECT ${day} AS k, count(DISTINCT e->>'subject') AS v, count(*) AS n FROM ${deduplicated} WHERE e->>'subject' IS NOT NULL GROUP BY k`,
  'revenue': `SELECT ${day} AS k, sum(CAST(e->'data'->>'amount' AS DECIMAL(38, 10))) AS v, count(*) AS n FROM ${deduplicated} WHERE e->>'type' = 'order.placed' GROUP BY k`,
  'page-views': `SELECT strftime(CAST(e->>'time' AS TIMESTAMPTZ) AT TIME ZONE 'UTC', '%Y-%m-%dT%H') || '|' || (e->'data'->>'page') AS k, count(*) AS v, count(*) AS n FROM ${deduplicated} WHERE e->>'type' = 'page.view' GROUP BY k`,
};
await connection.run(`SET TimeZone = 'UTC'`);
for (const [view, sql] of Object.entries(views)) {
  const started = process.hrtime.bigint();
  const reader = await connection.runAndReadAll(`SELECT count(*) AS keys, sum(n) AS events FROM (${sql})`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const [keys, events] = reader.getRows()[0];
  console.log(JSON.stringify({ view, seconds, events: Number(events), keys: Number(keys) }));
}
