-- Managers with history: one row per manager per period in which one version of the
-- manager (team, role, dates) was in force. A fact joins the row whose
-- [valid_from, valid_to) holds its event time, and so gets the team of that moment.
with versions as (
    select * from {{ ref('stg_crm__manager_versions') }}
),

teams as (
    select
        team_id,
        team_name
    from {{ ref('stg_crm__teams') }}
),

versions_in_order as (
    select
        *,
        lead(updated_at) over (
            partition by manager_id order by updated_at
        ) as next_version_at,
        row_number() over (
            partition by manager_id order by updated_at
        ) as version_number
    from versions
)

select
    {{ dbt.hash(dbt.concat([
        'versions_in_order.manager_id',
        "'|'",
        dbt.cast('versions_in_order.updated_at', api.Column.translate_type('string'))
    ])) }} as manager_version_key,
    versions_in_order.manager_id,
    versions_in_order.version_number,
    versions_in_order.full_name as manager_name,
    versions_in_order.team_id,
    teams.team_name,
    versions_in_order.role,
    versions_in_order.hired_on,
    versions_in_order.fired_on,
    versions_in_order.is_deleted,
    -- The first version known holds since before any data: a manager's earliest
    -- events may predate the first extract that mentions the manager.
    case
        when versions_in_order.version_number = 1 then {{ dbt.cast("'1900-01-01'", 'timestamp') }}
        else versions_in_order.updated_at
    end as valid_from,
    coalesce(
        versions_in_order.next_version_at,
        {{ dbt.cast("'9999-12-31'", 'timestamp') }}
    ) as valid_to,
    versions_in_order.next_version_at is null as is_current,
    versions_in_order.updated_at as version_updated_at
from versions_in_order
left join teams
    on versions_in_order.team_id = teams.team_id
