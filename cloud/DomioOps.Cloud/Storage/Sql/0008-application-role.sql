-- The application's role, domio_app: what a silo needs and no more. The schema belongs to the role that migrates
-- (Silo:MigrationConnectionString); silos connect as domio_app or a login role that is a member of it
-- (CREATE ROLE domio_cloud LOGIN PASSWORD '…' IN ROLE domio_app). domio_app may read and write the tables, but on
-- the audit trail only SELECT and INSERT: no UPDATE, DELETE or TRUNCATE, and since it owns nothing it cannot disable
-- the guard triggers or alter a table either. New tables of later migrations get the same rights by default; a later
-- table that must be append-only revokes them, as below. A superuser bypasses all of this: that is what the keyed
-- chain and the checkpoints outside the database are for.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'domio_app') THEN
        CREATE ROLE domio_app NOLOGIN;
    END IF;
EXCEPTION
    -- Roles are per server: the migration of another database on it created the role meanwhile.
    WHEN duplicate_object OR unique_violation THEN NULL;
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'the role domio_app does not exist and the migration role may not create it'
            USING HINT = 'As a superuser: CREATE ROLE domio_app NOLOGIN; (or give the migration role CREATEROLE), then start again.';
END
$$;

GRANT USAGE ON SCHEMA public TO domio_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO domio_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO domio_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO domio_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO domio_app;

REVOKE UPDATE, DELETE, TRUNCATE ON domio_audit FROM domio_app;
-- Read-only to the application: the keyed boundary, the migrations applied and the SQL the Orleans providers run.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON domio_audit_keyed, domioops_schema_version, OrleansQuery FROM domio_app;

-- The history's day partitions are created and dropped at run time (History/HistoryDatabase.cs), which needs the
-- owner of the partitioned tables: both functions run as their owner, and each touches only those two tables.
ALTER FUNCTION telemetry_history_partition(text, date) SECURITY DEFINER SET search_path = public, pg_temp;

CREATE FUNCTION telemetry_history_drop_partition(parent text, day date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    partition text := parent || '_' || to_char(day, 'YYYYMMDD');
BEGIN
    IF parent NOT IN ('telemetry_sample', 'telemetry_rollup_minute') THEN
        RAISE EXCEPTION 'not a history table: %', parent;
    END IF;
    IF to_regclass(partition) IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('DROP TABLE IF EXISTS %I', partition);
    RETURN true;
END
$$;

REVOKE ALL ON FUNCTION telemetry_history_partition(text, date), telemetry_history_drop_partition(text, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION telemetry_history_partition(text, date), telemetry_history_drop_partition(text, date) TO domio_app;
