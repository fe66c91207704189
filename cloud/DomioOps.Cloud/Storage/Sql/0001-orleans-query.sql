-- The catalogue of statements the Orleans ADO.NET providers run. Each provider reads it at start
-- ("SELECT QueryKey, QueryText FROM OrleansQuery") and looks its statements up by key; the text is
-- executed with named parameters (@Name) that Npgsql binds with the types Orleans gives them.
CREATE TABLE OrleansQuery
(
    QueryKey  varchar(64) NOT NULL,
    QueryText text        NOT NULL,

    CONSTRAINT PK_OrleansQuery PRIMARY KEY (QueryKey)
);
