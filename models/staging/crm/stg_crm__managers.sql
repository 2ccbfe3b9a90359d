-- The current version of every manager not deleted in the CRM.
{{ newest_live_versions(ref('stg_crm__manager_versions'), ['manager_id'], deletable=true) }}
