-- The contract tables the warehouse has data for: those with at least one file the
-- ingestion loaded (a header-only file counts: the table is there, and empty). A table
-- without one is absent from the source, e.g. an export with deals only
-- (docs/bring-your-own-crm.md); the KPIs that need it are NULL, not 0.
select
    source || '/' || table_name as contract_table,
    count(*) as loaded_files,
    sum(rows_loaded) as loaded_rows
from {{ source('ingest', 'ingest_ledger') }}
where status = 'loaded'
group by source, table_name
