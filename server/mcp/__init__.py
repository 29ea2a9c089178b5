"""The Model Context Protocol surface: the vault as bounded, read-only memory for AI assistants.

A thin shell over the one application object, like the HTTP API and the CLI: ``tools`` (one
typed call into ``VaultApp`` per tool), ``shapes`` (the output schemas), ``render`` (the compact
text beside the structured answer), ``errors`` (failures as ``isError`` results with VaultQL's
codes), ``server`` (the SDK's ``MCPServer`` with the tools and resources) and ``stdio`` (``vaultql
mcp``). The Streamable HTTP transport is mounted at ``/mcp`` by ``server.web.routes.mcp``.

Needs the optional ``mcp`` package (``pip install 'vaultql[mcp]'``). Nothing here writes to the
vault.
"""
