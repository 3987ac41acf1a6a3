'use strict'
// The Mercurius peer of `make bench PEERS=1`: Fastify with Mercurius and graphql-jit (`jit: 1`:
// a document is compiled into a plain function on its first use), one process, one resolver,
// `lpaStatus`, which runs the floor's SQL (bench/floor.py, STATUS) as a named prepared
// statement through `pg`, and answers the gateway's shape. Its schema declares the gateway's
// `LpaUid` scalar and `LpaType` enum, so it is sent the gateway's own document text.
//
// Environment: BENCH_PEER_DSN (postgresql://...), BENCH_PEER_PORT, BENCH_PEER_POOL_SIZE.
// GET /health/ready answers 200 once the database answers.

const Fastify = require('fastify')
const mercurius = require('mercurius')
const pg = require('pg')

const DATE_OID = 1082
pg.types.setTypeParser(DATE_OID, (text) => text) // a date stays YYYY-MM-DD, as the gateway's

const STATUS =
  'SELECT status, lpa_type, restrictions_and_conditions, registration_date FROM lpas ' +
  "WHERE uid = $1 AND status IN ('registered', 'cancelled')"

const schema = `
  scalar LpaUid
  enum LpaType { PROPERTY_AND_AFFAIRS PERSONAL_WELFARE }
  type LpaStatus {
    isRegistered: Boolean!
    isCancelled: Boolean!
    hasRestrictionsAndConditions: Boolean!
    lpaType: LpaType!
    registrationDate: String
  }
  type Query { lpaStatus(uid: LpaUid!): LpaStatus }
`

const pool = new pg.Pool({
  connectionString: process.env.BENCH_PEER_DSN,
  max: Number(process.env.BENCH_PEER_POOL_SIZE || 20),
})

const resolvers = {
  Query: {
    async lpaStatus (_root, { uid }) {
      const { rows } = await pool.query({ name: 'lpa-status', text: STATUS, values: [uid] })
      if (rows.length === 0) return null
      const row = rows[0]
      return {
        isRegistered: row.status === 'registered',
        isCancelled: row.status === 'cancelled',
        hasRestrictionsAndConditions: Boolean(row.restrictions_and_conditions),
        lpaType: row.lpa_type.toUpperCase().replaceAll('-', '_'),
        registrationDate: row.registration_date
      }
    }
  }
}

const app = Fastify({ logger: false })
app.register(mercurius, { schema, resolvers, jit: 1, graphiql: false })
app.get('/health/ready', async () => {
  await pool.query('SELECT 1')
  return { status: 'ready' }
})

app.listen({ host: '127.0.0.1', port: Number(process.env.BENCH_PEER_PORT) }).catch((error) => {
  console.error(`mercurius peer: ${error.message}`)
  process.exit(1)
})
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => app.close().then(() => pool.end()).then(() => process.exit(0)))
}
