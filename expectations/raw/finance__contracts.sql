-- Signed contracts, each version with its deal and client resolved and whether its currency
-- has a rate on the signing day.
-- Read from the shared views of ../_views/: clock_with_skew, first_fx_rate_dates, known_clients,
-- known_deals.
with
-- the rows of raw.finance__contracts, ids and codes as staging cleans them
contracts as (
    select
        trim(contract_id) as contract_id,
        updated_at,
        signed_on,
        valid_from,
        valid_to,
        amount,
        upper(trim(currency)) as currency,
        trim(deal_id) as deal_id,
        trim(client_id) as client_id,
        _file_id,
        _source_file
    from raw.finance__contracts
),

-- contract_id, updated_at delivered more than once, and the file that brought it first
repeated_versions as (
    select
        contract_id,
        updated_at,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from contracts
    group by contract_id, updated_at
    having count(*) > 1
)

select
    contracts.contract_id,
    contracts.updated_at,
    contracts.signed_on,
    contracts.valid_from,
    contracts.valid_to,
    contracts.amount,
    case
        when contracts.deal_id is not null and known_deals.deal_id is null
            then contracts.deal_id
    end as unknown_deal_id,
    case
        when contracts.client_id is not null and known_clients.client_id is null
            then contracts.client_id
    end as unknown_client_id,
    case
        when
            contracts.currency <> ${reporting_currency}
            and (
                first_fx_rate_dates.first_rate_date is null
                or first_fx_rate_dates.first_rate_date > cast(contracts.signed_on as date)
            )
            then
                contracts.currency || ' has no rate on or before '
                || cast(contracts.signed_on as date) || ' in finance/fx_rates'
    end as missing_fx_rate,
    case
        when contracts._file_id > repeated_versions.first_file_id
            then
                contracts._source_file || ' repeats the version first delivered in '
                || repeated_versions.first_file
    end as duplicate_delivery,
    nullif(
        concat_ws(
            '; ',
            case
                when contracts.signed_on > clock_with_skew.latest_allowed
                    then 'signed_on ' || contracts.signed_on || ' is in the future'
            end,
            case
                when contracts.updated_at > clock_with_skew.latest_allowed
                    then 'updated_at ' || contracts.updated_at || ' is in the future'
            end
        ),
        ''
    ) as in_the_future
from contracts
left join known_deals
    on contracts.deal_id = known_deals.deal_id
left join known_clients
    on contracts.client_id = known_clients.client_id
left join first_fx_rate_dates
    on contracts.currency = first_fx_rate_dates.currency
left join repeated_versions
    on
        contracts.contract_id = repeated_versions.contract_id
        and contracts.updated_at = repeated_versions.updated_at
cross join clock_with_skew
