from kpigov.cli import main

main()
