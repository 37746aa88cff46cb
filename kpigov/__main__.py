from kpigov.cli import run

run()
