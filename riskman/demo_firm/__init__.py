"""A realistic demo prop-trading firm, written as PropReports exports plus its ground truth.

`generate_demo_firm` is the public entry point; docs/demo_firm.md explains every mechanism.
"""

from __future__ import annotations

from riskman.demo_firm.generate import generate_demo_firm

__all__ = ["generate_demo_firm"]
