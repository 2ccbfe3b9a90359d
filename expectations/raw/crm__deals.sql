-- Deals, each version with its manager, client and lead resolved, its status checked against
-- its stage, close date and lost reason, and whether its currency has a rate.
-- Read from the shared views of ../_views/: clock_with_skew, first_fx_rate_dates, known_clients,
-- known_leads, known_managers.
with
-- the rows of raw.crm__deals, ids and codes as staging cleans them
deals as (
    select
        trim(deal_id) as deal_id,
        updated_at,
        created_at,
        closed_at,
        lower(trim(channel_code)) as channel_code,
        lower(trim(stage_code)) as stage_code,
        lower(trim(status)) as status,
        lower(trim(lost_reason_code)) as lost_reason_code,
        amount,
        upper(trim(currency)) as currency,
        trim(manager_id) as manager_id,
        trim(client_id) as client_id,
        trim(lead_id) as lead_id,
        _file_id,
        _source_file
    from raw.crm__deals
),

-- deal_id, updated_at delivered more than once, and the file that brought it first
repeated_versions as (
    select
        deal_id,
        updated_at,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from deals
    group by deal_id, updated_at
    having count(*) > 1
)

select
    deals.deal_id,
    deals.updated_at,
    deals.created_at,
    deals.closed_at,
    deals.channel_code,
    deals.stage_code,
    deals.status,
    deals.lost_reason_code,
    deals.amount,
    case
        when deals.manager_id is not null and known_managers.manager_id is null
            then deals.manager_id
    end as unknown_manager_id,
    case
        when deals.client_id is not null and known_clients.client_id is null
            then deals.client_id
    end as unknown_client_id,
    case
        when deals.lead_id is not null and known_leads.lead_id is null
            then deals.lead_id
    end as unknown_lead_id,
    case
        when
            deals.currency <> ${reporting_currency}
            and (
                first_fx_rate_dates.first_rate_date is null
                or first_fx_rate_dates.first_rate_date > cast(deals.created_at as date)
            )
            then
                deals.currency || ' has no rate on or before '
                || cast(deals.created_at as date) || ' in finance/fx_rates'
    end as missing_fx_rate,
    case
        when deals.status in ('won', 'lost') and deals.closed_at is null
            then 'status ' || deals.status || ' but closed_at is empty'
        when deals.status = 'open' and deals.closed_at is not null
            then 'status open but closed_at is ' || deals.closed_at
        when deals.status in ('won', 'lost') and deals.stage_code <> deals.status
            then 'status ' || deals.status || ' but stage_code is ' || deals.stage_code
        when deals.status = 'open' and deals.stage_code in ('won', 'lost')
            then 'status open but stage_code is ' || deals.stage_code
    end as status_conflict,
    case
        when deals.status = 'lost' and deals.lost_reason_code is null
            then 'lost without a lost_reason_code'
        when deals.status <> 'lost' and deals.lost_reason_code is not null
            then 'status ' || deals.status || ' with lost_reason_code ' || deals.lost_reason_code
    end as lost_reason_conflict,
    case
        when deals._file_id > repeated_versions.first_file_id
            then
                deals._source_file || ' repeats the version first delivered in '
                || repeated_versions.first_file
    end as duplicate_delivery,
    nullif(
        concat_ws(
            '; ',
            case
                when deals.created_at > clock_with_skew.latest_allowed
                    then 'created_at ' || deals.created_at || ' is in the future'
            end,
            case
                when deals.closed_at > clock_with_skew.latest_allowed
                    then 'closed_at ' || deals.closed_at || ' is in the future'
            end,
            case
                when deals.updated_at > clock_with_skew.latest_allowed
                    then 'updated_at ' || deals.updated_at || ' is in the future'
            end
        ),
        ''
    ) as in_the_future
from deals
left join known_managers
    on deals.manager_id = known_managers.manager_id
left join known_clients
    on deals.client_id = known_clients.client_id
left join known_leads
    on deals.lead_id = known_leads.lead_id
left join first_fx_rate_dates
    on deals.currency = first_fx_rate_dates.currency
left join repeated_versions
    on
        deals.deal_id = repeated_versions.deal_id
        and deals.updated_at = repeated_versions.updated_at
cross join clock_with_skew
