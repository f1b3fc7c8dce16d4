"""Demo data: a year of made-up reports, staff and case work, for a demonstration or a trial of the
service (`flask --app intake demo seed`, `make demo`), removed again by `flask --app intake demo clear`.

Every row is marked (`reports.demo`, `staff.demo`), written as the service writes it (sealed, blind
indexes, triage's decision and links, the status owner's history and counts), and only into a
database that holds no real report.
"""
