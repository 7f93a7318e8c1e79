"""The dashboard's pages, one module per area. Each view fetches what the URL names from inside
the current workspace, asks the role table, calls one service, and redirects with a message."""
