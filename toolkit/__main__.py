"""``python -m toolkit`` runs the ``xxgk`` command line."""
from .cli import main

raise SystemExit(main())
