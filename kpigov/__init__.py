"""kpigov: keep KPI definitions honest."""

__version__ = "0.2.0"
