"""The bureau's view of a round: progress, distributions, frequent findings, year over year.

`selectors` computes every figure in the database in a constant number of queries,
`charts` lays out the server-rendered SVG charts, `views` puts them on a page, a
filtered list of reports and a PDF (`pdf`).
"""
