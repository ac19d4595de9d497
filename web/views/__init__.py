"""The server-rendered pages, one module per audience. Views are thin: they
read through selectors/queries and write through the services."""
