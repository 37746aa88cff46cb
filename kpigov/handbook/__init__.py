"""The KPI handbook: a static site built from the catalogue (`kpigov build`)."""
