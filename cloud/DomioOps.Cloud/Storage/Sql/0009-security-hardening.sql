-- Security hardening (issue #20). Tables and columns as Security/SecurityDbContext models them; change both together.

-- A terminal's failure budget: failed operator identifications in the current window, and a lock when it is spent.
ALTER TABLE domio_terminals
    ADD "OperatorFailures" integer NOT NULL DEFAULT 0,
    ADD "OperatorFailuresSince" timestamp with time zone,
    ADD "OperatorLockedUntil" timestamp with time zone;

-- Wrong PINs per terminal and person, apart from the person's web account lockout.
CREATE TABLE domio_terminal_pin_lockouts (
    "TerminalId" character varying(32) NOT NULL,
    "UserId" text NOT NULL,
    "Failures" integer NOT NULL,
    "LockedUntil" timestamp with time zone,
    CONSTRAINT "PK_domio_terminal_pin_lockouts" PRIMARY KEY ("TerminalId", "UserId"),
    CONSTRAINT "FK_domio_terminal_pin_lockouts_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE,
    CONSTRAINT "FK_domio_terminal_pin_lockouts_domio_terminals_TerminalId" FOREIGN KEY ("TerminalId") REFERENCES domio_terminals ("Id") ON DELETE CASCADE
);

CREATE INDEX "IX_domio_terminal_pin_lockouts_UserId" ON domio_terminal_pin_lockouts ("UserId");

-- The last authenticator time step accepted per person: a code is accepted once.
CREATE TABLE domio_totp_steps (
    "UserId" text NOT NULL,
    "LastStep" bigint NOT NULL,
    CONSTRAINT "PK_domio_totp_steps" PRIMARY KEY ("UserId"),
    CONSTRAINT "FK_domio_totp_steps_AspNetUsers_UserId" FOREIGN KEY ("UserId") REFERENCES "AspNetUsers" ("Id") ON DELETE CASCADE
);

-- A check value (HMAC of a fixed text) of each key kept outside the database, so that a silo started with another key
-- file than the cluster's refuses to start instead of silently hashing differently. It reveals nothing of the key.
CREATE TABLE domio_key_checks (
    name        text  NOT NULL PRIMARY KEY,
    check_value bytea NOT NULL
);
