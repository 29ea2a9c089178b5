"""``python -m server.cli``: the ``vaultql`` command (tests start servers this way)."""

from server.cli.main import main

raise SystemExit(main())
