-- Commercial proposals, each version with its deal and manager resolved and whether its
-- currency has a rate.
-- Read from the shared views of ../_views/: clock_with_skew, first_fx_rate_dates, known_deals,
-- known_managers.
with
-- the rows of raw.crm__proposals, ids and codes as staging cleans them
proposals as (
    select
        trim(proposal_id) as proposal_id,
        updated_at,
        sent_at,
        reviewed_at,
        lower(trim(status)) as status,
        amount,
        upper(trim(currency)) as currency,
        trim(deal_id) as deal_id,
        trim(manager_id) as manager_id,
        _file_id,
        _source_file
    from raw.crm__proposals
),

-- proposal_id, updated_at delivered more than once, and the file that brought it first
repeated_versions as (
    select
        proposal_id,
        updated_at,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from proposals
    group by proposal_id, updated_at
    having count(*) > 1
)

select
    proposals.proposal_id,
    proposals.updated_at,
    proposals.sent_at,
    proposals.reviewed_at,
    proposals.status,
    proposals.amount,
    case
        when proposals.deal_id is not null and known_deals.deal_id is null
            then proposals.deal_id
    end as unknown_deal_id,
    case
        when proposals.manager_id is not null and known_managers.manager_id is null
            then proposals.manager_id
    end as unknown_manager_id,
    case
        when
            proposals.currency <> ${reporting_currency}
            and (
                first_fx_rate_dates.first_rate_date is null
                or first_fx_rate_dates.first_rate_date > cast(proposals.sent_at as date)
            )
            then
                proposals.currency || ' has no rate on or before '
                || cast(proposals.sent_at as date) || ' in finance/fx_rates'
    end as missing_fx_rate,
    case
        when proposals._file_id > repeated_versions.first_file_id
            then
                proposals._source_file || ' repeats the version first delivered in '
                || repeated_versions.first_file
    end as duplicate_delivery,
    nullif(
        concat_ws(
            '; ',
            case
                when proposals.sent_at > clock_with_skew.latest_allowed
                    then 'sent_at ' || proposals.sent_at || ' is in the future'
            end,
            case
                when proposals.reviewed_at > clock_with_skew.latest_allowed
                    then 'reviewed_at ' || proposals.reviewed_at || ' is in the future'
            end,
            case
                when proposals.updated_at > clock_with_skew.latest_allowed
                    then 'updated_at ' || proposals.updated_at || ' is in the future'
            end
        ),
        ''
    ) as in_the_future
from proposals
left join known_deals
    on proposals.deal_id = known_deals.deal_id
left join known_managers
    on proposals.manager_id = known_managers.manager_id
left join first_fx_rate_dates
    on proposals.currency = first_fx_rate_dates.currency
left join repeated_versions
    on
        proposals.proposal_id = repeated_versions.proposal_id
        and proposals.updated_at = repeated_versions.updated_at
cross join clock_with_skew
