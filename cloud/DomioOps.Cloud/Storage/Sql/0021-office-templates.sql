-- Office document templates (Office/Templates/): the Liquid text of each kind (quote, order-confirmation,
-- delivery-note, invoice) in each language (ru, en), every save a new version; the newest is the one used. Until a kind
-- and language has a saved version, the application's built-in default is used (shown as version 0).
-- Rights: domio_app reads and writes through the default privileges of 0008; versions are only ever added.

CREATE TABLE office_templates (
    "Kind" character varying(40) NOT NULL,
    "Culture" character varying(10) NOT NULL,
    "Version" integer NOT NULL,
    "Text" text NOT NULL,
    "SavedAt" timestamp with time zone NOT NULL,
    "SavedBy" text NOT NULL,
    "Note" character varying(500),
    CONSTRAINT "PK_office_templates" PRIMARY KEY ("Kind", "Culture", "Version"),
    CONSTRAINT "CK_office_templates_Kind" CHECK ("Kind" IN ('quote', 'order-confirmation', 'delivery-note', 'invoice')),
    CONSTRAINT "CK_office_templates_Culture" CHECK ("Culture" IN ('ru', 'en')),
    CONSTRAINT "CK_office_templates_Version" CHECK ("Version" >= 1)
);
