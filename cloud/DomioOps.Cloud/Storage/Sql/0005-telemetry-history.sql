-- Telemetry history: every committed sample, partitioned by UTC day of its timestamp, and per-minute
-- rollups per machine and signal. Retention drops whole partitions (no DELETE, no bloat).
--
-- Exactly-once under redelivery: telemetry_history_mark holds, per edge, the highest sequence written to
-- history. The writer locks the edge's row, keeps only samples above it, COPYs them, moves the mark and
-- commits, all in one transaction; a batch redelivered after a silo crash (history written, EdgeGrain's
-- high-water mark not yet persisted) finds its samples at or below the mark and writes nothing. This
-- replaces a unique index on (edge, sequence), which a partitioned table could not enforce across
-- partitions anyway (a unique key must include the partition key), and keeps COPY free of conflict checks.

CREATE TABLE telemetry_history_mark
(
    edge             text        NOT NULL PRIMARY KEY,   -- {site}/{edge}, the EdgeGrain key
    highest_sequence bigint      NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE telemetry_sample
(
    ts       timestamptz      NOT NULL,                  -- the observation time at the edge
    machine  text COLLATE "C" NOT NULL,                  -- ids are ASCII: byte order, no locale cost in the index
    signal   smallint         NOT NULL,                  -- domio.v1.Signal
    number   double precision NULL,
    text     text             NULL,
    edge     text COLLATE "C" NOT NULL,
    sequence bigint           NOT NULL                   -- the edge's queue sequence: (edge, sequence) is the sample's identity
) PARTITION BY RANGE (ts);

CREATE INDEX telemetry_sample_machine_signal_ts ON telemetry_sample (machine, signal, ts);

-- min/max/sum/count over the numeric samples of one minute; last = the value with the latest timestamp
-- (ties: the highest sequence). avg = sum / count.
CREATE TABLE telemetry_rollup_minute
(
    minute        timestamptz      NOT NULL,
    machine       text COLLATE "C" NOT NULL,
    signal        smallint         NOT NULL,
    min           double precision NOT NULL,
    max           double precision NOT NULL,
    sum           double precision NOT NULL,
    count         bigint           NOT NULL,
    last          double precision NOT NULL,
    last_ts       timestamptz      NOT NULL,
    last_sequence bigint           NOT NULL,
    PRIMARY KEY (machine, signal, minute)
) PARTITION BY RANGE (minute);

-- Creates the day partition of telemetry_sample or telemetry_rollup_minute holding [day, day + 1) UTC,
-- named {parent}_YYYYMMDD, unless it exists; returns whether it created it. Silos racing to create the
-- same day are serialised by an advisory lock, and the loser's duplicate_table is swallowed.
CREATE FUNCTION telemetry_history_partition(parent text, day date) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    partition text := parent || '_' || to_char(day, 'YYYYMMDD');
BEGIN
    IF parent NOT IN ('telemetry_sample', 'telemetry_rollup_minute') THEN
        RAISE EXCEPTION 'not a history table: %', parent;
    END IF;
    IF to_regclass(partition) IS NOT NULL THEN
        RETURN false;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtext('telemetry_history_partition'));
    IF to_regclass(partition) IS NOT NULL THEN
        RETURN false;
    END IF;
    BEGIN
        EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)',
            partition, parent,
            (day::timestamp AT TIME ZONE 'UTC'), ((day + 1)::timestamp AT TIME ZONE 'UTC'));
    EXCEPTION WHEN duplicate_table OR unique_violation THEN
        -- Created by another session after our check (an advisory lock does not refresh the catalogue cache).
        RETURN false;
    END;
    RETURN true;
END
$$;
