"""Bring your own CRM: run the warehouse on any CRM or finance export through a
declarative mapping file (docs/bring-your-own-crm.md)."""
