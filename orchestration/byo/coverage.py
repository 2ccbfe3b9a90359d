"""``salesdw coverage``: which KPIs of the catalogue an export's mapping can compute.

A KPI needs the contract tables (and optional columns) in the ``requires`` column of
``seeds/kpi_catalogue.csv``, the same data the KPI marts read to turn a KPI NULL."""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.byo.importer import produced_columns
from orchestration.byo.mapping import Assumption, ExportMapping
from orchestration.kpi_docs import CATALOGUE_CSV, Kpi, read_catalogue


@dataclass(frozen=True)
class KpiCoverage:
    kpi: Kpi
    missing: tuple[str, ...]
    """Why the KPI cannot be computed: ``no crm/leads``, ``crm/deals.closed_at is not
    mapped``; empty when it can."""
    assumptions: tuple[str, ...]
    """The named assumptions its value rests on."""

    @property
    def computable(self) -> bool:
        return not self.missing


def _missing(requirement: str, produced: dict[str, set[str]]) -> str | None:
    table, _, column = requirement.partition(".")
    if table not in produced:
        return f"no {table}"
    if column and column not in produced[table]:
        return f"{requirement} is not mapped"
    return None


def _assumptions_behind(table: str, assumed: dict[str, Assumption]) -> list[str]:
    """The assumptions a table rests on, including those behind the table it is
    assumed from (payments from invoices that are themselves assumed from deals)."""
    behind: list[str] = []
    while table in assumed:
        behind.insert(0, assumed[table].value)
        table = assumed[table].needs
    return behind


def kpi_coverage(mapping: ExportMapping) -> list[KpiCoverage]:
    """Every KPI of the catalogue, in catalogue order, with what it lacks."""
    produced = produced_columns(mapping)
    assumed = mapping.assumed_tables
    result = []
    for kpi in read_catalogue(CATALOGUE_CSV):
        missing = [_missing(requirement, produced) for requirement in kpi.requires]
        behind = [name for t in kpi.required_tables for name in _assumptions_behind(t, assumed)]
        result.append(
            KpiCoverage(
                kpi=kpi,
                missing=tuple(reason for reason in missing if reason),
                assumptions=tuple(dict.fromkeys(behind)),
            )
        )
    return result
