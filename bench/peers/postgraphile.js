'use strict'
// The PostGraphile peer of `make bench PEERS=1`: PostGraphile 4 as a library behind Node's own
// http server, one process, serving only the `peers` schema (bench/peers/postgraphile.sql):
// `lpaStatus(uid: String)`, the floor's status lookup as one SQL function. No JWT, no
// pgSettings, no query log, no GraphiQL, no watch mode.
//
// Environment: BENCH_PEER_DSN (postgresql://...), BENCH_PEER_PORT, BENCH_PEER_POOL_SIZE.
// GET /health/ready answers 200 once the schema is built and the database answers.

const http = require('http')
const pg = require('pg')
const { postgraphile } = require('postgraphile')

const pool = new pg.Pool({
  connectionString: process.env.BENCH_PEER_DSN,
  max: Number(process.env.BENCH_PEER_POOL_SIZE || 20),
})

const handler = postgraphile(pool, ['peers'], {
  graphqlRoute: '/graphql',
  graphiql: false,
  disableQueryLog: true,
  watchPg: false,
  retryOnInitFail: false,
  enableQueryBatching: false,
  setofFunctionsContainNulls: false,
})

async function ready (res) {
  try {
    await handler.getGraphQLSchema()
    await pool.query('SELECT 1')
    res.writeHead(200, { 'Content-Type': 'application/json' })
    res.end('{"status":"ready"}')
  } catch (error) {
    res.writeHead(503, { 'Content-Type': 'application/json' })
    res.end(JSON.stringify({ status: 'not ready', error: error.message }))
  }
}

const server = http.createServer((req, res) => {
  if (req.url === '/health/ready') return ready(res)
  return handler(req, res)
})
server.listen(Number(process.env.BENCH_PEER_PORT), '127.0.0.1')
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => pool.end().then(() => process.exit(0))))
}
