-- The audit chain becomes keyed: rows from domio_audit_keyed.from_seq on are chained with HMAC-SHA256 under a key
-- kept outside the database (Audit:KeyPath); the rows already there keep verifying with the plain SHA-256 they were
-- written with, and stay anchored because the first keyed row's HMAC covers the last of them. The boundary is also
-- in every signed checkpoint (Audit/AuditCheckpoint.cs), so moving it in the database is caught by `audit verify`.
-- The append lock (Audit/AuditTrail.cs) is taken so that no row is appended between reading the head and recording it.
SELECT pg_advisory_xact_lock(4931280416599536996); -- 0x446F6D696F417564, "DomioAud"

CREATE TABLE domio_audit_keyed (
    id       integer NOT NULL PRIMARY KEY CHECK (id = 1),
    from_seq bigint  NOT NULL
);

INSERT INTO domio_audit_keyed (id, from_seq) SELECT 1, COALESCE(max(seq), 0) + 1 FROM domio_audit;

CREATE FUNCTION domio_audit_keyed_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'domio_audit_keyed is fixed: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER domio_audit_keyed_no_update BEFORE UPDATE OR DELETE ON domio_audit_keyed
    FOR EACH ROW EXECUTE FUNCTION domio_audit_keyed_fixed();
CREATE TRIGGER domio_audit_keyed_no_truncate BEFORE TRUNCATE ON domio_audit_keyed
    FOR EACH STATEMENT EXECUTE FUNCTION domio_audit_keyed_fixed();
