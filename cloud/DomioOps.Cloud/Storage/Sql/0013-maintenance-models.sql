-- Failure-prediction models (Maintenance/Training/ModelRegistry): one row per trained model, numbered 1, 2, … per
-- machine class, with its data range, horizon, alert policy, metrics, the model itself and its HTML report. At most one
-- model is active per class (the partial unique index); activating another (a roll back or forward) deactivates the
-- old one in the same transaction.

CREATE TABLE maintenance_models
(
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    machine_class text        NOT NULL,                 -- cnc-router, panel-saw, edgebander
    version       integer     NOT NULL,
    trained_at    timestamptz NOT NULL,
    data_from     timestamptz NOT NULL,
    data_to       timestamptz NOT NULL,
    horizon       interval    NOT NULL,                 -- a failure within this after an instant makes it positive
    policy_raise       real    NOT NULL,                -- AlertPolicy: raise at p >= raise for raise_after scorings,
    policy_clear       real    NOT NULL,                -- clear at p < clear for clear_after scorings
    policy_raise_after integer NOT NULL,
    policy_clear_after integer NOT NULL,
    metrics       jsonb       NOT NULL,
    model         bytea       NOT NULL,                 -- FailureClassifier.Save (the feature schema travels with it)
    report_html   text        NOT NULL,
    active        boolean     NOT NULL DEFAULT false,
    CONSTRAINT maintenance_models_class_version UNIQUE (machine_class, version),
    CONSTRAINT maintenance_models_range CHECK (data_to > data_from)
);

CREATE UNIQUE INDEX maintenance_models_one_active ON maintenance_models (machine_class) WHERE active;
