{#
    Incremental facts.

    Every file the ingestion loads gets the next `_file_id` from one sequence, so "what
    changed since the last build" is "raw rows with a `_file_id` above the highest one
    the last build had seen". That watermark is kept per model in
    `meta.build_watermarks`, recorded in the same transaction as the model (a failed
    model keeps its old watermark), not in a column of the fact, so an incremental fact
    and a full refresh are equal cell by cell.

    An incremental run rebuilds only the records whose key is in the model's
    `changed_keys` CTE (new or re-sent versions, deletions, and records whose inputs
    changed, e.g. a late team change of their manager) and replaces them in the fact
    with the `replace_keys` strategy below. Deleted records travel to the strategy as
    tombstones, so that they leave the fact.

    Two guards keep an incremental fact from mixing old and new rows:
    - a fingerprint of what shapes every row (the model's code, the project vars such
      as the time zone, the seeds it reads) is stored with the watermark; when it
      differs, the watermark counts as 0 and every record is rebuilt;
    - the dimension tables it joins (team history, daily rates) record their watermark
      too; an incremental run refuses to start when one of them is older than the raw
      data, e.g. after `dbt build --select fct_payments` alone.
#}

{% macro create_build_watermarks() -%}
    create schema if not exists meta;
    create table if not exists meta.build_watermarks (
        model_name varchar primary key,
        file_id bigint not null,
        fingerprint varchar not null,
        recorded_at timestamp not null
    );
{%- endmacro %}

{# The id of the last file the ingestion has seen (0 on an empty warehouse). #}
{% macro latest_raw_file_id() -%}
    (
        select coalesce(max(ledger.file_id), 0)
        from {{ source('ingest', 'ingest_ledger') }} as ledger
    )
{%- endmacro %}

{# What every row of the model depends on besides the raw data. #}
{% macro build_fingerprint() -%}
    {%- set parts = [
        model.checksum.checksum,
        var('reporting_currency'),
        var('reporting_time_zone'),
        var('fiscal_year_start_month') | string,
    ] -%}
    {%- for parent in model.depends_on.nodes if parent.startswith('seed.') -%}
        {%- do parts.append(graph.nodes[parent].checksum.checksum) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('|'))) }}
{%- endmacro %}

{# Tables this model reads that a build refreshes (not views, not itself). #}
{% macro rebuilt_parent_tables() -%}
    {%- set parents = [] -%}
    {%- for parent in model.depends_on.nodes if parent.startswith('model.') -%}
        {%- if graph.nodes[parent].config.materialized in ('table', 'incremental') -%}
            {%- do parents.append(graph.nodes[parent].alias) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parents) }}
{%- endmacro %}

{#
    The highest raw file id the last build of this model had seen: 0 before any build
    or when the fingerprint changed. Fails the model when a table it joins was built
    before the latest raw file.
#}
{% macro incremental_watermark() -%}
    {%- set stale_parents = rebuilt_parent_tables() -%}
    (
        select
            {%- if stale_parents %}
            case
                when exists (
                    select 1
                    from meta.build_watermarks as parents
                    where
                        parents.model_name in ('{{ stale_parents | join("', '") }}')
                        and parents.file_id < {{ latest_raw_file_id() }}
                ) or (
                    select count(*)
                    from meta.build_watermarks as parents
                    where parents.model_name in ('{{ stale_parents | join("', '") }}')
                ) < {{ stale_parents | length }}
                    then error(
                        'salesdw: {{ this.identifier }} joins {{ stale_parents | join(", ") }}, '
                        || 'built before the latest raw data; build them first: '
                        || 'dbt build --select +{{ this.identifier }}'
                    )
                else
            {%- endif %}
            coalesce(max(watermarks.file_id), 0)
            {%- if stale_parents %}
            end
            {%- endif %}
        from meta.build_watermarks as watermarks
        where
            watermarks.model_name = '{{ this.identifier }}'
            and watermarks.fingerprint = '{{ build_fingerprint() }}'
    )
{%- endmacro %}

{#
    Post-hook of every table and incremental model: the last raw file id it has seen.
    The ingestion never runs during a build (one writer at a time), so the ledger's
    highest id is the one the model just read up to.
#}
{% macro record_build_watermark() -%}
    {%- if model.config.materialized in ('incremental', 'table') -%}
        insert or replace into meta.build_watermarks
            (model_name, file_id, fingerprint, recorded_at)
        values (
            '{{ this.identifier }}',
            {{ latest_raw_file_id() }},
            '{{ build_fingerprint() }}',
            current_timestamp
        )
    {%- endif -%}
{%- endmacro %}

{# Keys of a raw table that have a row (a version or a deletion) newer than the watermark. #}
{% macro keys_loaded_since_watermark(source_name, table_name, key_column) -%}
    select distinct trim(loaded.{{ key_column }}) as changed_key
    from {{ source(source_name, table_name) }} as loaded
    where loaded._file_id > {{ incremental_watermark() }}
{%- endmacro %}

{#
    The model's final rows, plus (on incremental runs) a tombstone for every changed key
    that no longer has a row: the record was deleted.
#}
{% macro with_tombstones(final_cte, key_column, changed_keys_cte='changed_keys') -%}
    {%- if is_incremental() -%}
        select
            {{ final_cte }}.*,
            false as _is_tombstone
        from {{ final_cte }}
        union all by name
        select
            {{ changed_keys_cte }}.changed_key as {{ key_column }},
            true as _is_tombstone
        from {{ changed_keys_cte }}
        where not exists (
            select 1
            from {{ final_cte }}
            where {{ final_cte }}.{{ key_column }} = {{ changed_keys_cte }}.changed_key
        )
    {%- else -%}
        select * from {{ final_cte }}
    {%- endif -%}
{%- endmacro %}

{#
    Custom incremental strategy: delete every key the new batch carries (versions and
    tombstones), then insert the live rows. `dest_columns` are the fact's own columns,
    so the batch's `_is_tombstone` marker never reaches it. A batch whose columns are
    not the fact's (the model's columns changed) stops the run: rows of two shapes must
    not mix, a full refresh rebuilds the fact.
#}
{% macro get_incremental_replace_keys_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set batch = arg_dict['temp_relation'] -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- if key is none or key is not string -%}
        {{ exceptions.raise_compiler_error(
            "replace_keys needs a single-column unique_key, model " ~ this) }}
    {%- endif -%}
    {%- set fact_columns = arg_dict['dest_columns'] | map(attribute='name') | list -%}
    {%- set batch_columns = adapter.get_columns_in_relation(batch)
        | map(attribute='name') | reject('equalto', '_is_tombstone') | list -%}
    {%- if (fact_columns | sort) != (batch_columns | sort) -%}
        {{ exceptions.raise_compiler_error(
            this ~ " has columns " ~ fact_columns ~ " but the model now makes "
            ~ batch_columns ~ ": run it once with --full-refresh") }}
    {%- endif -%}
    {%- set columns = get_quoted_csv(fact_columns) -%}
    delete from {{ target }}
    where {{ key }} in (select batch.{{ key }} from {{ batch }} as batch);

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ batch }}
    where not _is_tombstone;
{%- endmacro %}

{#
    A predicate: `parent_column` names a record of `source_name`.`table_name` loaded
    since the watermark (the deal of an activity, the invoice of a payment, the manager
    of anything: a back-dated team change).
#}
{% macro parent_changed(parent_column, source_name, table_name) -%}
    {{ parent_column }} in (
        {{ keys_loaded_since_watermark(source_name, table_name, parent_column.split('.')[-1]) }}
    )
{%- endmacro %}

{#
    Keys of `relation` whose amount converts at a rate that arrived since the watermark:
    a late rate for a day changes every later day it fills, so every row of that
    currency from the rate's date on.
#}
{% macro keys_with_changed_rate(relation, key_column, currency_column, local_date) -%}
    select with_rate.{{ key_column }} as changed_key
    from {{ relation }} as with_rate
    inner join (
        select
            upper(trim(late_rates.currency)) as currency,
            min(late_rates.rate_date) as first_rate_date
        from {{ source('finance', 'fx_rates') }} as late_rates
        where late_rates._file_id > {{ incremental_watermark() }}
        group by upper(trim(late_rates.currency))
    ) as changed_rates
        on
            with_rate.{{ currency_column }} = changed_rates.currency
            and {{ local_date }} >= changed_rates.first_rate_date
{%- endmacro %}
