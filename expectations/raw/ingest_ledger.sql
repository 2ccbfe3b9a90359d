-- The latest ledger entry of every landing file (a corrected re-delivery of the same path
-- replaces a refused one), with the rows it actually left in its raw table and in raw.rejects
-- and its most frequent reject reason.
with latest_entries as (
    select
        file_id,
        table_name,
        path,
        status,
        error,
        rows_read,
        rows_loaded,
        rows_rejected
    from raw.ingest_ledger
    qualify row_number() over (partition by table_name, path order by file_id desc) = 1
),

-- rows in the raw tables, per file that brought them
rows_in_tables as (
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.finance__fx_rates
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.finance__products
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.crm__teams
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.crm__managers
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.crm__clients
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.crm__leads
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.crm__deals
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.crm__deal_stage_changes
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.crm__activities
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.crm__proposals
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.crm__tasks
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.crm__surveys
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.finance__contracts
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.finance__invoices
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.finance__invoice_lines
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.finance__payments
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.finance__sales_plans
    group by _file_id
    union all
    select
        _file_id as file_id,
        count(*) as rows_in_table
    from raw.finance__sales_expenses
    group by _file_id
),

-- rejected rows per file and reason code (the text before the first colon), with an example
reject_reasons as (
    select
        file_id,
        split_part(reason, ':', 1) as reason_code,
        count(*) as rows_with_reason,
        min(reason) as example_reason
    from raw.rejects
    group by file_id, split_part(reason, ':', 1)
),

-- rows in raw.rejects per file, and the reason code most of them were rejected for
rows_in_rejects as (
    select
        file_id,
        sum(rows_with_reason) as rows_in_rejects,
        arg_max(
            reason_code || ' (' || rows_with_reason || ' row(s)), e.g. ' || example_reason,
            rows_with_reason
        ) as top_reject_reason
    from reject_reasons
    group by file_id
)

select
    latest_entries.table_name,
    latest_entries.path,
    latest_entries.status,
    latest_entries.error,
    case
        when latest_entries.status <> 'loaded'
            then
                latest_entries.status || ': '
                || coalesce(latest_entries.error, 'no error recorded')
    end as refused_because,
    latest_entries.rows_read,
    latest_entries.rows_loaded,
    latest_entries.rows_rejected,
    latest_entries.rows_read - latest_entries.rows_loaded - latest_entries.rows_rejected
        as rows_unaccounted,
    coalesce(rows_in_tables.rows_in_table, 0) as rows_in_table,
    coalesce(rows_in_rejects.rows_in_rejects, 0) as rows_in_rejects,
    case
        when latest_entries.rows_read > 0
            then latest_entries.rows_rejected / latest_entries.rows_read
        else 0
    end as reject_share,
    rows_in_rejects.top_reject_reason,
    case
        when latest_entries.rows_rejected > 0
            then
                latest_entries.rows_rejected || ' of ' || latest_entries.rows_read
                || ' rows rejected; top reason ' || coalesce(rows_in_rejects.top_reject_reason, '?')
    end as rejected_rows
from latest_entries
left join rows_in_tables
    on latest_entries.file_id = rows_in_tables.file_id
left join rows_in_rejects
    on latest_entries.file_id = rows_in_rejects.file_id
