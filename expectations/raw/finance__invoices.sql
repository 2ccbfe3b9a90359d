-- Invoices, each version with its deal, contract and client resolved and whether its
-- currency has a rate on the day it was issued.
-- Read from the shared views of ../_views/: clock_with_skew, first_fx_rate_dates, known_clients,
-- known_contracts, known_deals.
with
-- the rows of raw.finance__invoices, ids and codes as staging cleans them
invoices as (
    select
        trim(invoice_id) as invoice_id,
        updated_at,
        issued_at,
        due_on,
        amount,
        lower(trim(status)) as status,
        upper(trim(currency)) as currency,
        trim(deal_id) as deal_id,
        trim(contract_id) as contract_id,
        trim(client_id) as client_id,
        _file_id,
        _source_file
    from raw.finance__invoices
),

-- invoice_id, updated_at delivered more than once, and the file that brought it first
repeated_versions as (
    select
        invoice_id,
        updated_at,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from invoices
    group by invoice_id, updated_at
    having count(*) > 1
)

select
    invoices.invoice_id,
    invoices.updated_at,
    invoices.issued_at,
    invoices.due_on,
    cast(invoices.issued_at as date) as issued_on,
    invoices.amount,
    invoices.status,
    case
        when invoices.deal_id is not null and known_deals.deal_id is null
            then invoices.deal_id
    end as unknown_deal_id,
    case
        when invoices.contract_id is not null and known_contracts.contract_id is null
            then invoices.contract_id
    end as unknown_contract_id,
    case
        when invoices.client_id is not null and known_clients.client_id is null
            then invoices.client_id
    end as unknown_client_id,
    case
        when
            invoices.currency <> ${reporting_currency}
            and (
                first_fx_rate_dates.first_rate_date is null
                or first_fx_rate_dates.first_rate_date > cast(invoices.issued_at as date)
            )
            then
                invoices.currency || ' has no rate on or before '
                || cast(invoices.issued_at as date) || ' in finance/fx_rates'
    end as missing_fx_rate,
    case
        when invoices._file_id > repeated_versions.first_file_id
            then
                invoices._source_file || ' repeats the version first delivered in '
                || repeated_versions.first_file
    end as duplicate_delivery,
    nullif(
        concat_ws(
            '; ',
            case
                when invoices.issued_at > clock_with_skew.latest_allowed
                    then 'issued_at ' || invoices.issued_at || ' is in the future'
            end,
            case
                when invoices.updated_at > clock_with_skew.latest_allowed
                    then 'updated_at ' || invoices.updated_at || ' is in the future'
            end
        ),
        ''
    ) as in_the_future
from invoices
left join known_deals
    on invoices.deal_id = known_deals.deal_id
left join known_contracts
    on invoices.contract_id = known_contracts.contract_id
left join known_clients
    on invoices.client_id = known_clients.client_id
left join first_fx_rate_dates
    on invoices.currency = first_fx_rate_dates.currency
left join repeated_versions
    on
        invoices.invoice_id = repeated_versions.invoice_id
        and invoices.updated_at = repeated_versions.updated_at
cross join clock_with_skew
