"""Demo data generator: raw CRM and finance extracts of a made-up sales company."""

from orchestration.demo.config import GeneratorConfig
from orchestration.demo.generate import generate

__all__ = ["GeneratorConfig", "generate"]
