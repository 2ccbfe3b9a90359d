-- Every version of every manager, not only the newest: dim_managers builds the
-- team history from them. A deletion ends the manager's history rather than
-- rewriting it, so deleted versions are kept with their flag.
with source_rows as (
    select * from {{ source('crm', 'managers') }}
),

cleaned as (
    select
        trim(manager_id) as manager_id,
        trim(full_name) as full_name,
        lower(trim(email)) as email,
        trim(team_id) as team_id,
        lower(trim(role)) as role,
        hired_on,
        fired_on,
        updated_at,
        {{ raw_lineage_columns(deletable=true) }}
    from source_rows
),

one_version_per_timestamp as (
    select *
    from cleaned
    qualify row_number() over (
        partition by manager_id, updated_at
        order by _file_id desc, _row_number desc
    ) = 1
)

select * from one_version_per_timestamp
