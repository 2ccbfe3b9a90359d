{#
    The newest version of every record of a cleaned staging CTE: by `updated_at` where
    the table has it, then by load order (`_file_id`, then `_row_number` in the file).
    Deletions are decided on the newest version only, after the dedupe, so a deleted
    record never falls back to an older live version.
#}
{% macro newest_live_versions(cleaned, key_columns, versioned=true, deletable=false) -%}
    {%- set dropped = ['_row_number'] + (['is_deleted'] if deletable else []) -%}
    select newest_versions.* {{ star_except(dropped) }}
    from (
        select *
        from {{ cleaned }}
        qualify row_number() over (
            partition by {{ key_columns | join(', ') }}
            order by {% if versioned %}updated_at desc, {% endif %}_file_id desc, _row_number desc
        ) = 1
    ) as newest_versions
    {%- if deletable %}
    where not newest_versions.is_deleted
    {%- endif %}
{%- endmacro %}

{# `select * except these columns`, in the engine's words. #}
{% macro star_except(columns) -%}
    {{ return(adapter.dispatch('star_except')(columns)) }}
{%- endmacro %}

{% macro default__star_except(columns) -%}
    except ({{ columns | join(', ') }})
{%- endmacro %}

{% macro duckdb__star_except(columns) -%}
    exclude ({{ columns | join(', ') }})
{%- endmacro %}

{# Where each raw row came from, carried through cleaning (and `is_deleted` for CRM tables). #}
{% macro raw_lineage_columns(deletable=false) -%}
    {%- if deletable %}is_deleted, {% endif -%}
    _file_id, _row_number, _source_file, _loaded_at
{%- endmacro %}
