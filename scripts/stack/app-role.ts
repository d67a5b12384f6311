import pg from 'pg'
import { databaseUrl } from './postgres.ts'

/**
 * Hands every object a role owns in the connected database's own schemas to another role: what
 * the superuser made before issue 20 (tables with their indexes and owned sequences, functions,
 * types, schemas) becomes the app role's, so its migrations can keep altering them. REASSIGN
 * OWNED cannot do this: it refuses the bootstrap superuser, who also owns the system catalogs.
 * Objects of extensions stay with their extension.
 */
const transferOwnership = `
DO $$
DECLARE
  old_owner regrole := $from$%FROM%$from$::regrole;
  statement text;
BEGIN
  FOR statement IN
    SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, $to$%TO%$to$)
    FROM pg_namespace n
    WHERE n.nspowner = old_owner
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = n.oid AND d.deptype = 'e')
  LOOP
    EXECUTE statement;
  END LOOP;
  -- Tables first: a table's owner change carries its indexes and its serial/identity sequences.
  FOR statement IN
    SELECT format(
      'ALTER %s %s OWNER TO %I',
      CASE c.relkind
        WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE'
        WHEN 'S' THEN 'SEQUENCE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE'
      END,
      c.oid::regclass, $to$%TO%$to$)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relowner = old_owner AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S', 'c')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
      AND NOT (c.relkind = 'S' AND EXISTS (
        SELECT 1 FROM pg_depend d
        WHERE d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')))
    ORDER BY c.relkind = 'S', c.oid
  LOOP
    EXECUTE statement;
  END LOOP;
  FOR statement IN
    SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, $to$%TO%$to$)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.proowner = old_owner
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE statement;
  END LOOP;
  FOR statement IN
    SELECT format(
      'ALTER %s %s OWNER TO %I',
      CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.oid::regtype, $to$%TO%$to$)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE t.typowner = old_owner AND t.typtype IN ('e', 'd', 'r')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
  LOOP
    EXECUTE statement;
  END LOOP;
END
$$`

/**
 * Sets up the app's own role and database on a PostgreSQL the stack started, signed in as its
 * superuser, and answers the app's connection string. The role may sign in and owns the app
 * database, nothing more: no superuser, no creating roles or databases, no replication, no
 * bypassing row security (issue 20). Run on every start, so it also upgrades a data folder made
 * before the role existed (the database and its objects then belong to the superuser) and keeps
 * the role's password equal to the one in DATA_DIR/secrets.
 */
export async function ensureAppDatabase(options: {
  superuserUrl: string
  superuser: string
  role: string
  password: string
  database: string
}): Promise<string> {
  const { role, database } = options
  const server = new pg.Client({ connectionString: options.superuserUrl })
  await server.connect()
  try {
    const ident = server.escapeIdentifier(role)
    const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${server.escapeLiteral(options.password)}`
    const found = await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])
    await server.query(`${found.rowCount === 0 ? 'CREATE' : 'ALTER'} ROLE ${ident} ${attributes}`)
    const owner = await server.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [database],
    )
    const db = server.escapeIdentifier(database)
    if (owner.rowCount === 0) await server.query(`CREATE DATABASE ${db} OWNER ${ident}`)
    else if (owner.rows[0]?.owner !== role)
      await server.query(`ALTER DATABASE ${db} OWNER TO ${ident}`)
  } finally {
    await server.end()
  }

  const inDatabase = new pg.Client({
    connectionString: databaseUrl(options.superuserUrl, database),
  })
  await inDatabase.connect()
  try {
    const sql = transferOwnership
      .replaceAll('%FROM%', inDatabase.escapeIdentifier(options.superuser))
      .replaceAll('%TO%', role)
    await inDatabase.query(sql)
  } finally {
    await inDatabase.end()
  }

  const url = new URL(databaseUrl(options.superuserUrl, database))
  url.username = role
  url.password = options.password
  return url.toString()
}
