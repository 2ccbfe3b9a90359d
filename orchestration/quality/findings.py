"""What failed in a validation result, as a person reads it: the expectation, its
column, severity and meaning, how many rows, and a sample of them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from great_expectations.core import (
    ExpectationSuiteValidationResult,
    ExpectationValidationResult,
)
from great_expectations.expectations.metadata_types import FailureSeverity


@dataclass(frozen=True)
class FailedExpectation:
    """One expectation that did not hold, as a person reads it."""

    expectation_type: str
    column: str | None
    severity: FailureSeverity
    description: str
    unexpected_count: int | None
    element_count: int | None
    sample: list[dict[str, object]]
    error: str | None

    def summary(self) -> str:
        what = self.expectation_type + (f" on {self.column}" if self.column else "")
        if self.error:
            return f"{what}: could not be evaluated: {self.error}"
        count = (
            f"{self.unexpected_count:,} of {self.element_count:,} rows"
            if self.unexpected_count is not None and self.element_count is not None
            else "failed"
        )
        return f"{what} [{self.severity.value}]: {count}. {self.description}".strip()


class Verdict(StrEnum):
    """A suite's outcome, in the order a person should look at them."""

    BLOCKS = "blocks"
    """A critical expectation failed: what the suite guards must not be published."""
    WARNS = "warns"
    """Only warnings failed."""
    PASSED = "passed"
    """Nothing failed but, at most, expectations of severity info."""


def verdict_of(failures: Sequence[FailedExpectation]) -> Verdict:
    severities = {failure.severity for failure in failures}
    if FailureSeverity.CRITICAL in severities:
        return Verdict.BLOCKS
    if FailureSeverity.WARNING in severities:
        return Verdict.WARNS
    return Verdict.PASSED


def failures_of(result: ExpectationSuiteValidationResult) -> list[FailedExpectation]:
    return [failure_of(expectation) for expectation in result.results if not expectation.success]


def raised_exception(result: ExpectationValidationResult) -> dict | None:
    """The error an expectation raised, if any. GX files it at the top of
    ``exception_info`` or, when a metric failed, under the metric's name."""
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return info
    return next(
        (
            nested
            for nested in info.values()
            if isinstance(nested, dict) and nested.get("raised_exception")
        ),
        None,
    )


def failure_of(result: ExpectationValidationResult) -> FailedExpectation:
    configuration = result.expectation_config
    details = result.result or {}
    raised = raised_exception(result)
    error = raised.get("exception_message") if raised else None
    arguments = configuration.kwargs
    column = arguments.get("column") or (
        ", ".join(str(arguments[name]) for name in ("column_A", "column_B") if arguments.get(name))
        or ", ".join(arguments.get("column_list") or [])
        or None
    )
    return FailedExpectation(
        expectation_type=configuration.type,
        column=column,
        severity=FailureSeverity(configuration.severity),
        description=configuration.description or "",
        unexpected_count=details.get("unexpected_count"),
        element_count=details.get("element_count"),
        sample=_sample(details),
        error=error,
    )


def _sample(details: dict) -> list[dict[str, object]]:
    """Failing rows named by the key (row-wise expectations) or what was observed."""
    rows = details.get("partial_unexpected_index_list") or []
    if rows:
        return [_plain(row) for row in rows]
    if "observed_value" in details:
        return [{"observed_value": _plain_value(details["observed_value"])}]
    return []


def _plain(row: dict) -> dict[str, object]:
    return {str(name): _plain_value(value) for name, value in row.items()}


def _plain_value(value: object) -> object:
    """A JSON-friendly copy: numpy scalars become Python's, timestamps ISO text."""
    # numpy's float64 is a float too, but prints as np.float64(...).
    if value is None or type(value) in (bool, int, float, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)
