"""The human web site in fr and en, one module per kind of page over the startup snapshot (`site`):
`browse` (threat tree, measure filters), `entity` (an entity's page), `workbench` (running a query
for the page); `routes` serves them all."""
