{#
    Incremental facts.

    Every file the ingestion loads gets the next `_file_id` from one sequence, so "what
    changed since the last build" is "raw rows with a `_file_id` above the highest one
    the last build had seen". That watermark is kept per model in
    `meta.incremental_watermarks`, recorded in the same transaction as the model, not in
    a column of the fact, so an incremental fact and a full refresh are equal cell by
    cell.

    An incremental run rebuilds only the records whose key is in the model's
    `changed_keys` CTE (new or re-sent versions, deletions, and records whose
    dimensions changed, e.g. a late team change of their manager) and replaces them in
    the fact with the `replace_keys` strategy below. Deleted records travel to the
    strategy as tombstones, so that they leave the fact.
#}

{% macro create_incremental_watermarks() -%}
    create schema if not exists meta;
    create table if not exists meta.incremental_watermarks (
        model_name varchar primary key,
        file_id bigint not null,
        recorded_at timestamp not null
    );
{%- endmacro %}

{# The highest raw file id the last build of this model had seen (0 before any). #}
{% macro incremental_watermark() -%}
    (
        select coalesce(max(watermarks.file_id), 0)
        from meta.incremental_watermarks as watermarks
        where watermarks.model_name = '{{ this.identifier }}'
    )
{%- endmacro %}

{#
    Post-hook of every mart: an incremental model remembers the last file id it has
    seen. The ingestion never runs during a build (one writer at a time), so the
    ledger's highest id is the one the model just read up to.
#}
{% macro record_incremental_watermark() -%}
    {%- if model.config.materialized == 'incremental' -%}
        insert or replace into meta.incremental_watermarks (model_name, file_id, recorded_at)
        select
            '{{ this.identifier }}',
            coalesce(max(ledger.file_id), 0),
            current_timestamp
        from {{ source('ingest', 'ingest_ledger') }} as ledger
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
    so the batch's `_is_tombstone` marker never reaches it.
#}
{% macro get_incremental_replace_keys_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set batch = arg_dict['temp_relation'] -%}
    {%- set key = arg_dict['unique_key'] -%}
    {%- if key is none or key is not string -%}
        {{ exceptions.raise_compiler_error(
            "replace_keys needs a single-column unique_key, model " ~ this) }}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }}
    where {{ key }} in (select batch.{{ key }} from {{ batch }} as batch);

    insert into {{ target }} ({{ columns }})
    select {{ columns }}
    from {{ batch }}
    where not _is_tombstone;
{%- endmacro %}

{#
    Keys of `relation` whose parent record changed since the watermark: the parent is
    the record of `source_name`.`table_name` whose key is `parent_column` (the deal of
    an activity, the invoice of a payment, the manager of anything: a team change).
#}
{% macro keys_with_changed_parent(relation, key_column, parent_column, source_name, table_name) -%}
    select with_parent.{{ key_column }} as changed_key
    from {{ relation }} as with_parent
    where with_parent.{{ parent_column }} in (
        {{ keys_loaded_since_watermark(source_name, table_name, parent_column) }}
    )
{%- endmacro %}

{% macro keys_with_changed_manager(relation, key_column) -%}
    {{ keys_with_changed_parent(relation, key_column, 'manager_id', 'crm', 'managers') }}
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
